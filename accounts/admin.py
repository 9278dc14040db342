from django.contrib import admin

from accounts.models import Membership, SignInEvent
from accounts.selectors import is_partner
from core.admin import ReadOnlyAdminMixin

# Membership's admin is registered in inspections/admin.py: it is scoped by authority, which sits above.


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The sign-in audit: readable by superusers and staff granted the view permission, never editable.

    Staff who are not superusers see only events of users in their own authorities (and failed attempts
    against names that match no user are for superusers only), so one council cannot watch another's.
    """

    list_display = ("created_at", "kind", "method", "username", "ip_address", "user_agent")
    list_filter = ("kind", "method")
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "kind", "method", "user", "username", "ip_address", "user_agent")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        if is_partner(request.user):
            return queryset.none()
        own_councils = Membership.objects.filter(user=request.user).values("authority_id")
        return queryset.filter(user__memberships__authority__in=own_councils).distinct()



# Second factors are set up by their owner and reset by an admin on the People page (accounts.services,
# recorded in the people audit), never edited in the admin site.
from django_otp.plugins.otp_static.models import StaticDevice  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
