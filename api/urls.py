from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from api import views

app_name = "api"

# Swagger UI's page (drf-spectacular's template, files from drf-spectacular-sidecar) has one inline <style>
# block: allowed by its hash on that page alone, never 'unsafe-inline'.
SWAGGER_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger = csp_update({"style-src": [SWAGGER_STYLE_HASH]})(
    login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))
)


class RootView(views.ReadOnlyApiMixin, APIRootView):
    """The API's endpoints, by name."""


class Router(DefaultRouter):
    include_format_suffixes = False  # ?format=csv instead of .csv paths
    APIRootView = RootView


router = Router()
router.register("councils", views.CouncilViewSet, basename="council")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("judgements", views.JudgementViewSet, basename="judgement")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("actions", views.ActionViewSet, basename="action")

urlpatterns = [
    path("api/", views.api_guide, name="guide"),
    path("account/api-tokens/", views.api_tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="token_revoke"),
    path("api/v1/dashboard/<str:slug>/", views.DashboardView.as_view(), name="dashboard"),
    path("api/v1/schema/", views.SchemaView.as_view(), name="schema"),
    path("api/v1/docs/", swagger, name="swagger"),
    path("api/v1/", include(router.urls)),
]
