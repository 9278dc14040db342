"""Control characters pasted from other systems: stripped when saved, and no export breaks on them."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from actions.models import Action, ActionUpdate
from actions.services import action_create
from core.text import strip_control_characters
from findings.models import Finding
from inspections.models import Inspection

pytestmark = pytest.mark.django_db

CONTROLS = "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"  # NUL too, except in the database (PostgreSQL refuses it)


def _text_fields(model) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and not field.unique
        and field.name not in ("password", "source_name", "source_sha256")
    ]


def _poison_every_text_field():
    """As if the rows came from before the cleaning (or from raw SQL): controls in every text field."""
    for model in (Action, Finding, Inspection, get_user_model()):
        for name in _text_fields(model):
            model.objects.update(**{name: models.functions.Concat(models.F(name), models.Value(f"a{CONTROLS}b"))})


def test_saving_strips_controls_but_keeps_tab_and_line_breaks(demo):
    finding = Finding.objects.first()
    action = action_create(
        finding=finding,
        title=f"Audit\x00{CONTROLS} plans",
        description="Line one\r\nLine\ttwo\x0b",
        user=demo["lead"],
    )
    action.refresh_from_db()
    assert action.title == "Audit plans"
    assert action.description == "Line one\r\nLine\ttwo"
    assert strip_control_characters(f"a\x00{CONTROLS}\t\n\rb") == "a\t\n\rb"


def test_every_export_opens_with_controls_in_every_text_field(client, demo):
    _poison_every_text_field()
    assert "\x0b" in Action.objects.first().title and "\x0b" in Finding.objects.first().text
    for username in ("lead", "leader", "admin"):
        client.force_login(demo[username])
        plan = client.get(reverse("actions:action_list"), {"format": "xlsx"})
        assert plan.status_code == 200
        cells = [c for row in load_workbook(io.BytesIO(plan.content)).active.iter_rows(values_only=True) for c in row]
        # DEL is a character XML can hold: XLSX and Word keep it, everything else goes.
        assert any(isinstance(c, str) and "a\x7fb" in c for c in cells)
        assert not any(isinstance(c, str) and any(ch in c for ch in CONTROLS[:-1]) for c in cells)

        listing = client.get(reverse("actions:action_list"), {"format": "csv"})
        assert listing.status_code == 200
        text = listing.content.decode("utf-8-sig")
        assert "ab" in text and not any(ch in text for ch in CONTROLS)
        assert len(list(csv.reader(io.StringIO(text)))) == Action.objects.count() + 1 or username != "admin"

        board = reverse("dashboards:board_report", args=["barnsley"])
        report_xlsx = client.get(board, {"since": "2023-01-01", "format": "xlsx"})
        assert report_xlsx.status_code == 200
        load_workbook(io.BytesIO(report_xlsx.content))
        report_docx = client.get(board, {"since": "2023-01-01", "format": "docx"})
        assert report_docx.status_code == 200
        paragraphs = [p.text for p in Document(io.BytesIO(report_docx.content)).paragraphs]
        assert any("a\x7fb" in p for p in paragraphs)
        assert client.get(board, {"since": "2023-01-01"}).status_code == 200
    assert ActionUpdate.objects.exists()
