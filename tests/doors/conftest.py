"""Doors into an action: every way a person (or the system) can try to change one. Each rule is tested
through every door that could break it (tests/doors/test_action_rules.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from actions.models import Action, ActionUpdate, Evidence, Status
from tests.factories import FindingFactory, InspectionFactory, action_through_services

BULK = reverse("actions:bulk_change")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def finding(our_council):
    return FindingFactory(inspection=InspectionFactory(authority=our_council))


@pytest.fixture
def make_action(finding, owner, colleague, leader):
    """An action of our council owned by `owner` (unless said), brought to its status through the services."""

    def make(**fields):
        fields.setdefault("title", "Audit twenty pathway plans")
        fields.setdefault("owner", owner)
        fields.setdefault("due_date", dt.date.today() + dt.timedelta(days=60))
        return action_through_services(finding=finding, user=colleague, verifier=leader, **fields)

    return make


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot(action) -> tuple:
    """Everything a refused change must leave as it was: the row, its history and its evidence."""
    row = Action.objects.filter(pk=action.pk).values().get()
    row.pop("updated_at")
    return (
        row,
        ActionUpdate.objects.filter(action_id=action.pk).count(),
        Evidence.objects.filter(action_id=action.pk).count(),
        Action.objects.count(),
    )


def history_count(action) -> int:
    return ActionUpdate.objects.filter(action_id=action.pk).count()


def page_form_data(action, **overrides) -> dict:
    """What the action page's update form posts when nothing is touched, with `overrides` typed in."""
    data = {
        "version": action.version,
        "status": action.status,
        "rag": action.rag,
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "evidence": action.evidence,
        "measure_name": action.measure_name,
        "note": "",
        "rag_reason": "",
        "due_date_reason": "",
    }
    data.update(overrides)
    return data


def post_page(user, action, *, htmx: bool, **overrides):
    """The update form, as a full page (no JavaScript) or swapped in place by htmx."""
    url = reverse("actions:action_update", kwargs={"pk": action.pk})
    headers = {"HX-Request": "true"} if htmx else {}
    return client_for(user).post(url, page_form_data(action, **overrides), headers=headers)


def post_verify(user, action, *, htmx: bool, decision="verify", reason="", version=None):
    url = reverse("actions:action_verify", kwargs={"pk": action.pk})
    headers = {"HX-Request": "true"} if htmx else {}
    data = {"version": version or action.version, "decision": decision, "reason": reason}
    return client_for(user).post(url, data, headers=headers)


def post_bulk(user, action, *, note="Agreed at the improvement board", version=None, **changes):
    data = {"selected": f"{action.pk}:{version or action.version}", "note": note, "confirm": "yes",
            "next": reverse("actions:action_list")}
    data.update({name: (value.isoformat() if hasattr(value, "isoformat") else value) for name, value in changes.items()})
    return client_for(user).post(BULK, data)


def admin_change_url(action) -> str:
    return reverse("admin:actions_action_change", args=[action.pk])


def post_admin(user, action, *, version=None, **overrides):
    """The admin site's change form for an action, with every field a browser could send."""
    data = {
        "title": action.title,
        "description": action.description,
        "measure_name": action.measure_name,
        "measure_baseline": "",
        "measure_target": "",
        "expected_version": version or action.version,
        # Rule-bound fields are read-only on the page; posting them anyway must change nothing.
        "status": action.status,
        "rag": action.rag,
        "due_date": action.due_date.isoformat() if action.due_date else "",
        "owner": action.owner_id or "",
        "version": action.version,
        "_save": "Save",
    }
    data.update(overrides)
    return client_for(user).post(admin_change_url(action), data)


def fresh(action) -> Action:
    return Action.objects.get(pk=action.pk)


__all__ = ["Status"]


def import_rows(user, inspection, csv_text: str):
    """The spreadsheet import, upload → columns → check → save; returns (check page, save response)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(user)
    response = client.post(reverse("actions:plan_import"),
                           {"inspection": inspection.pk, "file": SimpleUploadedFile("plan.csv", csv_text.encode())})
    if response.status_code != 302:
        return response, None
    columns_url = response["Location"]
    form = client.get(columns_url).context["form"]
    response = client.post(columns_url, {name: field.initial or "" for name, field in form.fields.items()})
    check_url = response["Location"]
    return client.get(check_url), client.post(check_url)
