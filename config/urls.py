from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from config import views
from dashboards import views as dashboard_views
from findings import views as letter_views
from inspections.admin import view_on_site

# The `inspections:` URL names, kept from when the pages lived in inspections/. Their views now sit in the
# layer that reads what they show (a council's action counts in dashboards, the letter import, which
# writes findings, in findings), so the namespace is put together here, where every app may be imported.
inspection_pages = [
    path("authorities/", dashboard_views.authority_list, name="authority_list"),
    path("authorities/<slug:slug>/", dashboard_views.authority_detail, name="authority_detail"),
    path("inspections/<int:pk>/", dashboard_views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/source/", letter_views.inspection_source, name="inspection_source"),
    path("inspections/<int:pk>/findings/<int:finding_pk>/", letter_views.finding_edit, name="finding_edit"),
    path("import/", letter_views.import_start, name="import_start"),
    path("import/<str:token>/", letter_views.import_preview, name="import_preview"),
    path("import/<str:token>/cancel/", letter_views.import_cancel, name="import_cancel"),
]

admin.site.site_header = "Inspection Findings Tracker administration"
admin.site.site_title = "Inspection Findings Tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("help/", views.help_page, name="help"),
    path("sign-in/", account_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/council/", include("mozilla_django_oidc.urls")),
    path("", include("accounts.urls")),
    path("", include((inspection_pages, "inspections"))),
    path("", include("actions.urls")),
    path("", include("dashboards.urls")),
    path("", include("search.urls")),
    path("", include("api.urls")),
    # Before the admin's own URLs: its "view on site" never leaves the admin's councils.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site), name="view_on_site"),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
