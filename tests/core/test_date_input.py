"""The one GOV.UK date input (core.forms.GovukDateField) on every form that takes a date."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from actions.filters import ActionFilter
from actions.forms import ActionAddForm, ActionProgressForm, BulkChangeForm, PlanSubmissionForm
from core.forms import GovukDateField


class DueForm(forms.Form):
    due_date = GovukDateField(label="Due date", required=False)


class NeededForm(forms.Form):
    due_date = GovukDateField(label="Due date")


def _parts(day="", month="", year=""):
    return {"due_date_day": day, "due_date_month": month, "due_date_year": year}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("31", "2", "2027"), "The due date must be a real date"),
        (("30", "13", "2027"), "The due date must be a real date"),
        (("0", "1", "2027"), "The due date must be a real date"),
        (("1", "", "2027"), "The due date must include a month"),
        (("", "", "2027"), "The due date must include a day and a month"),
        (("1", "2", "27"), "Year must include 4 numbers"),
        (("1st", "May", "2027"), "The due date must be a real date, in numbers, for example 31 3 2027"),
        (("1", "1", "3027"), "The due date must be between 1990 and 2100"),
    ],
)
def test_impossible_or_incomplete_dates_get_a_clear_message(parts, message):
    form = DueForm(_parts(*parts))
    assert not form.is_valid()
    assert form.errors["due_date"] == [message]


def test_a_real_date_and_an_empty_optional_one():
    form = DueForm(_parts("29", "2", "2028"))
    assert form.is_valid() and form.cleaned_data["due_date"] == dt.date(2028, 2, 29)
    form = DueForm(_parts(" 1 ", "05", "2026"))
    assert form.is_valid() and form.cleaned_data["due_date"] == dt.date(2026, 5, 1)
    empty = DueForm(_parts())
    assert empty.is_valid() and empty.cleaned_data["due_date"] is None
    assert NeededForm(_parts()).errors["due_date"] == ["Enter the due date"]


@pytest.mark.parametrize(("value", "expected"), [("2026-05-01", dt.date(2026, 5, 1)), ("01/05/2026", dt.date(2026, 5, 1))])
def test_one_value_in_a_link_is_accepted_too(value, expected):
    form = DueForm({"due_date": value})
    assert form.is_valid() and form.cleaned_data["due_date"] == expected


def test_one_value_that_is_not_a_date_is_refused():
    form = DueForm({"due_date": "05/31/2026"})  # US order is never read
    assert form.errors["due_date"] == ["The due date must be a real date, for example 31 3 2027"]


def test_it_renders_the_gov_uk_date_input_in_a_fieldset():
    html = str(DueForm(initial={"due_date": dt.date(2026, 5, 1)})["due_date"].as_field_group())
    assert '<fieldset class="govuk-fieldset" role="group"' in html
    assert 'class="govuk-date-input"' in html and 'type="date"' not in html
    for part, value in (("day", "1"), ("month", "5"), ("year", "2026")):
        assert f'name="due_date_{part}" type="text" inputmode="numeric" value="{value}"' in html
    errored = str(DueForm(_parts("31", "2", "2027"))["due_date"].as_field_group())
    assert "govuk-form-group--error" in errored and "govuk-input--error" in errored
    assert 'value="31"' in errored  # what was typed stays in the boxes


def test_no_form_in_the_tracker_uses_the_browsers_date_picker(db, django_user_model):
    from tests.factories import LocalAuthorityFactory

    user = django_user_model.objects.create_user("someone")
    action = type("A", (), {"version": 1, **{name: None for name in ActionProgressForm.TRACKED}})()
    permissions = type("P", (), {"fields": set(ActionProgressForm.TRACKED), "is_comment_only": False, "is_partner": False,
                                 "settable_statuses": None})()
    every_form = [
        BulkChangeForm(user=user),
        ActionAddForm(authority=LocalAuthorityFactory()),
        ActionProgressForm(action=action, permissions=permissions),
        PlanSubmissionForm(has_draft=True),
        ActionFilter({}, user=user).form,
    ]
    for form in every_form:
        for name, field in form.fields.items():
            assert not isinstance(field, forms.DateField), f"{type(form).__name__}.{name}"
        assert 'type="date"' not in "".join(str(form[name].as_field_group()) for name in form.fields)
