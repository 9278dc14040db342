from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from config import views

admin.site.site_header = "Inspection Findings Tracker administration"
admin.site.site_title = "Inspection Findings Tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("sign-in/", account_views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-in/council/", include("mozilla_django_oidc.urls")),
    path("", include("accounts.urls")),
    path("", include("inspections.urls")),
    path("", include("actions.urls")),
    path("", include("dashboards.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "config.views.server_error"
