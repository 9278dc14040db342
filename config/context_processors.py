from django.conf import settings

from accounts.selectors import can_edit_actions, is_admin, is_partner
from inspections.selectors import authority_ids_for, council_label_for


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
        # The menu shows a role only what it can use: the council pages (Dashboard, Compare visits,
        # Councils, All actions) need a council; a partner has none and reaches their actions from
        # Your tasks and My actions.
        "user_has_councils": bool(authority_ids_for(user)) if user.is_authenticated else False,
        "user_is_partner": is_partner(user),
    }
