from django.contrib import admin

from inspections.selectors import authority_ids_for
from accounts.models import Membership
from inspections.models import Inspection, Judgement, LocalAuthority


class AuthorityScopedAdmin(admin.ModelAdmin):
    """Admin lists show staff only their own authorities' rows (superusers see all)."""

    authority_path = "authority"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.authority_path}__in": authority_ids_for(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices (and what the form accepts) are scoped too: a council's admin can neither see another
        # council's rows in a drop-down nor attach anything to them by typing an id.
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = FOREIGN_KEY_AUTHORITY_PATHS.get(db_field.related_model._meta.label_lower)
        if field is not None and path and not request.user.is_superuser:
            field.queryset = field.queryset.filter(**{f"{path}__in": authority_ids_for(request.user)}).distinct()
        return field


# How each model that can be chosen in an admin form reaches its authority.
FOREIGN_KEY_AUTHORITY_PATHS = {
    "inspections.localauthority": "id",
    "inspections.inspection": "authority",
    "findings.finding": "inspection__authority",
    "actions.action": "finding__inspection__authority",
    "actions.actionupdate": "action__finding__inspection__authority",
    "auth.user": "memberships__authority",
}


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(AuthorityScopedAdmin):
    authority_path = "id"
    list_display = ("name", "ofsted_urn", "dfe_code", "region", "la_type")
    list_filter = ("region", "la_type")
    search_fields = ("name", "ofsted_urn", "dfe_code", "ons_code")
    prepopulated_fields = {"slug": ("name",)}


class JudgementInline(admin.TabularInline):
    model = Judgement
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(AuthorityScopedAdmin):
    list_display = ("authority", "kind", "visit_start", "visit_end", "published_on", "focus_area")
    list_filter = ("kind", "framework", "focus_area", "authority__region")
    search_fields = ("authority__name", "headline", "inspectors")
    date_hierarchy = "visit_start"
    list_select_related = ("authority",)
    # What was imported, from which file and by whom is the audit trail of the import: never edited here,
    # and an imported inspection is not deleted from the admin (its findings carry the action plans).
    readonly_fields = ("source_document", "source_sha256", "source_filename", "imported_by", "created_at")
    inlines = [JudgementInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Judgement)
class JudgementAdmin(AuthorityScopedAdmin):
    authority_path = "inspection__authority"
    list_display = ("inspection", "area", "grade")
    list_filter = ("area", "grade")
    search_fields = ("inspection__authority__name",)
    list_select_related = ("inspection__authority",)


# accounts' Membership, registered here because its admin is scoped by authority (accounts sits below).
@admin.register(Membership)
class MembershipAdmin(AuthorityScopedAdmin):
    list_display = ("user", "authority", "created_at")
    list_filter = ("authority__region",)
    search_fields = ("user__username", "user__email", "authority__name")
    list_select_related = ("user", "authority")
    autocomplete_fields = ("authority",)
