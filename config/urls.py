from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config import views
from inspections.admin import view_on_site

admin.site.site_header = "Inspection Findings Tracker administration"
admin.site.site_title = "Inspection Findings Tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        "sign-in/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("inspections.urls")),
    path("", include("actions.urls")),
    path("", include("dashboards.urls")),
    # Before the admin's own URLs: its "view on site" never leaves the admin's councils.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site), name="view_on_site"),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
