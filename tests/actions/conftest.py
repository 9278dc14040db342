import pytest

from accounts.models import Role
from tests.factories import FindingFactory, action_through_services, InspectionFactory, LocalAuthorityFactory, UserFactory


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def council():
    return LocalAuthorityFactory(name="Testborough")


@pytest.fixture
def people(council):
    """One persona per role in the council, an owner, a partner, and an outsider from another council."""
    other = LocalAuthorityFactory(name="Elsewhere")
    return {
        "admin": UserFactory(username="p-admin", role=Role.ADMIN, authorities=[council]),
        "lead": UserFactory(username="p-lead", role=Role.IMPROVEMENT_LEAD, authorities=[council]),
        "owner": UserFactory(username="p-owner", role=Role.IMPROVEMENT_LEAD, authorities=[council]),
        "leader": UserFactory(username="p-leader", role=Role.SENIOR_LEADER, authorities=[council]),
        "viewer": UserFactory(username="p-viewer", role=Role.VIEWER, authorities=[council]),
        "partner": UserFactory(username="p-partner", role=Role.PARTNER, authorities=[council]),
        "outsider": UserFactory(username="p-outsider", role=Role.IMPROVEMENT_LEAD, authorities=[other]),
    }


@pytest.fixture
def finding(council):
    return FindingFactory(inspection=InspectionFactory(authority=council))


@pytest.fixture
def make_action(finding, people):
    def make(**fields):
        fields.setdefault("title", "Audit pathway plans")
        fields.setdefault("owner", people["owner"])
        return action_through_services(finding=finding, user=people["lead"], verifier=people["leader"], **fields)

    return make
