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
        # Its own ids, so it can share the All actions page with the filter form.
        kwargs.setdefault("auto_id", "bulk_%s")
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


# --- spreadsheet import -----------------------------------------------------------------------------


class PlanUploadForm(forms.Form):
    inspection = forms.ModelChoiceField(
        label="Which inspection or visit is this plan for?",
        queryset=None,
        empty_label="Choose an inspection or visit",
        error_messages={"required": "Choose the inspection or visit the plan answers"},
    )
    file = forms.FileField(
        label="Upload the action plan",
        help_text="An Excel spreadsheet (.xlsx) or a CSV file, with one action per row and a header row.",
        error_messages={"required": "Choose a spreadsheet to upload"},
    )

    def __init__(self, *args, user, **kwargs):
        from inspections.selectors import inspections_for

        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = inspections_for(user).select_related("authority").order_by(
            "authority__name", "-visit_start"
        )
        self.fields["inspection"].label_from_instance = (
            lambda i: f"{i.authority.name}: {i.get_kind_display()}, {i.date_range_display}"
        )

    def clean_file(self):
        from actions.plan_import import MAX_BYTES, SpreadsheetError, sniff

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file must be smaller than {MAX_BYTES // (1024 * 1024)} MB")
        data = upload.read()
        try:
            self.kind = sniff(data)
        except SpreadsheetError as error:
            raise forms.ValidationError(str(error)) from error
        self.data_bytes = data
        return upload


class ColumnMappingForm(forms.Form):
    """One select per spreadsheet column: which field of an action it holds, if any."""

    def __init__(self, *args, headers: list[str], samples: list[str], suggested: list[str], **kwargs):
        from actions.plan_import import TARGETS

        super().__init__(*args, **kwargs)
        choices = [("", "Do not import"), *[(key, label) for key, label, _ in TARGETS]]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=suggested[index] if index < len(suggested) else "",
                help_text=f"For example: {samples[index]}" if index < len(samples) and samples[index] else "",
            )
        self.column_count = len(headers)

    def mapping(self) -> list[str]:
        return [self.cleaned_data.get(f"col_{index}") or "" for index in range(self.column_count)]

    def clean(self):
        from actions.plan_import import check_mapping

        cleaned = super().clean()
        for error in check_mapping(self.mapping()):
            self.add_error(None, error)
        return cleaned
