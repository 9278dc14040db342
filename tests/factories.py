"""factory-boy factories for the tracker's models (preferred over fixtures)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Membership, Role
from actions.models import Action, ActionUpdate, Owner, Rag, Status
from actions.services import owner_record_for_user
from findings.models import Finding, FindingKind, Theme
from inspections.models import Grade, Inspection, InspectionKind, Judgement, LocalAuthority

PASSWORD = "test-password-for-personas"


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("ofsted_urn",)

    name = factory.Sequence(lambda n: f"Testshire {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    ofsted_urn = factory.Sequence(lambda n: str(900000 + n))
    region = "North West"
    ofsted_region = "North West"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])
        if create:
            self.save()

    @factory.post_generation
    def authorities(self, create, extracted, **kwargs):
        if create and extracted:
            for authority in extracted:
                Membership.objects.get_or_create(user=self, authority=authority)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    authority = factory.SubFactory(LocalAuthorityFactory)
    kind = InspectionKind.FOCUSED
    visit_start = factory.Sequence(lambda n: dt.date(2020, 1, 6) + dt.timedelta(days=14 * n))
    visit_end = factory.LazyAttribute(lambda i: i.visit_start + dt.timedelta(days=1))
    published_on = factory.LazyAttribute(lambda i: i.visit_end + dt.timedelta(days=35))
    inspectors = factory.LazyFunction(lambda: ["Jo Inspector", "Sam Inspector"])


class JudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judgement

    inspection = factory.SubFactory(InspectionFactory, kind=InspectionKind.FULL)
    area = "overall_effectiveness"
    grade = Grade.GOOD


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    kind = FindingKind.IMPROVEMENT
    text = factory.Sequence(lambda n: f"The quality of practice point {n}.")
    position = factory.Sequence(lambda n: n + 1)


class OwnerFactory(factory.django.DjangoModelFactory):
    """A person who owns actions of a council: without an account unless `user` is given."""

    class Meta:
        model = Owner

    authority = factory.SubFactory(LocalAuthorityFactory)
    name = factory.Faker("name")
    job_title = "Service manager"
    organisation = factory.LazyAttribute(lambda o: o.authority.name)
    email = ""
    user = None


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    finding = factory.SubFactory(FindingFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    status = Status.NOT_STARTED
    rag = Rag.GREEN
    due_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # Tests name an owner by their account, as people do; the action points at that person's owner
        # record in the action's council (made as the tracker makes it, owner_record_for_user).
        owner = kwargs.get("owner")
        if owner is not None and not isinstance(owner, Owner):
            kwargs["owner"] = owner_record_for_user(owner, kwargs["finding"].inspection.authority)
        return kwargs


def action_through_services(*, finding, status=Status.NOT_STARTED, user=None, verifier=None, at=None, **fields):
    """An action brought to `status` the way the tracker does it, through the services: created (by the
    system, or `user`), marked complete with evidence, and closed by a second person (`verifier`, or a new
    senior leader of the council) for a closed one. Its history is what a real action's would be."""
    from actions.services import SYSTEM, action_change, action_create, action_verify

    user = user or SYSTEM
    start = Status.IN_PROGRESS if status in (Status.COMPLETE, Status.CLOSED) else status
    evidence = fields.pop("evidence", "") if status in (Status.COMPLETE, Status.CLOSED) else fields.get("evidence", "")
    action = action_create(finding=finding, user=user, status=start, at=at, **fields)
    if status in (Status.COMPLETE, Status.CLOSED):
        action = action_change(
            action=action, user=user, expected_version=action.version, at=at,
            changes={"status": Status.COMPLETE, "evidence": evidence or "Audit of twenty case files."},
        ).action
    if status == Status.CLOSED:
        verifier = verifier or UserFactory(role=Role.SENIOR_LEADER, authorities=[finding.inspection.authority])
        action = action_verify(action=action, user=verifier, expected_version=action.version, at=at).action
    return Action.objects.get(pk=action.pk)


class ActionUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionUpdate

    action = factory.SubFactory(ActionFactory)
    created_at = factory.LazyFunction(lambda: dt.datetime.now(dt.timezone.utc))
    version = 1
    status = Status.NOT_STARTED
    rag = Rag.GREEN


__all__ = [
    "PASSWORD",
    "action_through_services",
    "Role",
    "LocalAuthorityFactory",
    "UserFactory",
    "InspectionFactory",
    "JudgementFactory",
    "ThemeFactory",
    "FindingFactory",
    "ActionFactory",
    "ActionUpdateFactory",
]


def london_noon_days_ago(days: int) -> dt.datetime:
    """Noon in London that many calendar days ago. Stepping back 24 hours at a time from after 23:00 in
    winter lands on the next day in summer time, and the app counts days by London dates."""
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days), dt.time(12)))
