from __future__ import annotations

from django import forms

from actions.models import Status
from actions.selectors import owner_choices_for, person_label

UK_DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]


# --- bulk change (All actions) ----------------------------------------------------------------------


class BulkChangeForm(forms.Form):
    """Owner, due date and/or status for many actions at once; each selection carries the version read."""

    selected = forms.Field(
        widget=forms.MultipleHiddenInput,
        error_messages={"required": "Select at least one action to change"},
    )
    owner = forms.ModelChoiceField(
        label="New owner", queryset=None, required=False, empty_label="No change"
    )
    due_date = forms.DateField(
        label="New due date",
        required=False,
        input_formats=UK_DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the new due date as a real date, for example 31 3 2027"},
    )
    status = forms.ChoiceField(
        label="New status", required=False, choices=[("", "No change"), *Status.choices]
    )
    note = forms.CharField(
        label="Reason for the change",
        help_text="Saved in the history of every action you change.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason for the change"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices_for(user)
        self.fields["owner"].label_from_instance = person_label

    def clean_selected(self) -> list[tuple[int, int]]:
        values = self.cleaned_data["selected"]
        if isinstance(values, str):
            values = [values]
        selection: dict[int, int] = {}
        for value in values or []:
            pk, _, version = str(value).partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError("The selection was not understood: go back to the list and try again")
            selection[int(pk)] = int(version)
        if not selection:
            raise forms.ValidationError("Select at least one action to change")
        if len(selection) > 500:
            raise forms.ValidationError("Change at most 500 actions at once")
        return list(selection.items())

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("owner", "due_date", "status")) and not self.has_error("note"):
            self.add_error("owner", "Choose a new owner, due date or status")
        return cleaned

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("owner", "due_date", "status") if data.get(name)}
