from django.conf import settings

from accounts.selectors import can_edit_actions, is_admin
from inspections.selectors import council_label_for


def service(request):
    user = request.user
    match = getattr(request, "resolver_match", None)
    return {
        # Which navigation item is current; a view can override it with its own `nav_section`.
        "nav_section": match.namespace if match else "",
        "service_name": settings.SERVICE_NAME,
        "council_label": council_label_for(user),
        "user_is_admin": is_admin(user),
        "user_can_edit_actions": can_edit_actions(user),
    }
