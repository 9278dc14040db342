from __future__ import annotations

from django import forms

from actions.models import Rag, Status
from actions.plan_import import TARGETS, SpreadsheetError, check_mapping, sniff
from actions.selectors import owner_account_choices, owner_choices_for, owner_options_for, owners_for_authority
from core.forms import GovukDateField
from core.people import person_label
from core.uploads import check_upload, max_upload_bytes, size_display
from inspections.selectors import inspections_for
from core.ids import BoundedModelChoiceField



# --- bulk change (All actions) ----------------------------------------------------------------------


class BulkChangeForm(forms.Form):
    """Owner, due date and/or status for many actions at once; each selection carries the version read."""

    selected = forms.Field(
        widget=forms.MultipleHiddenInput,
        error_messages={"required": "Select at least one action to change"},
    )
    owner = BoundedModelChoiceField(
        label="New owner", queryset=None, required=False, empty_label="No change"
    )
    due_date = GovukDateField(label="New due date", required=False, description="the new due date")
    # Closed is not offered: an action is closed when a second person verifies its evidence on its page.
    status = forms.ChoiceField(
        label="New status",
        required=False,
        choices=[("", "No change"), *[c for c in Status.choices if c[0] != Status.CLOSED]],
    )
    note = forms.CharField(
        label="Reason for the change",
        help_text="Saved in the history of every action you change. It is also the reason for a new due date.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a reason for the change"},
    )
    label_classes = {"owner": "govuk-label--s", "due_date": "govuk-label--s", "status": "govuk-label--s",
                     "note": "govuk-label--s"}

    def __init__(self, *args, user, **kwargs):
        # Its own ids, so it can share the All actions page with the filter form.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices_for(user).only("id", "name")
        self.fields["owner"].label_from_instance = person_label
        # The options from data kept under the councils' visits revisions; the queryset still validates.
        self.fields["owner"].widget.choices = [("", self.fields["owner"].empty_label), *owner_options_for(user)]

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


# --- action page: add, update, verify; the plan's submission dates (h5b) ------------------------------


def _date_field(label: str, **kwargs) -> GovukDateField:
    """The GOV.UK date input (day, month, year) of core.forms, as every form in the tracker uses."""
    return GovukDateField(label=label, **kwargs)


def _measure_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=12,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={"invalid": f"{label} must be a number, like 71 or 71.5"},
        **kwargs,
    )


OPEN_AND_COMPLETE = [choice for choice in Status.choices if choice[0] != Status.CLOSED]


PARTNER_FORM_HINT = (
    "As a partner you can add notes and evidence and mark the action Complete for a checker to verify"
)
PARTNER_STATUS_HINT = (
    "Choose Complete when the work is done. Add evidence (a file, a link or a summary) first or with this "
    "update; someone at the council then checks it and closes the action or sends it back."
)


class ActionProgressForm(forms.Form):
    """The update form on an action's page; it shows only the fields this person may change."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    status = forms.ChoiceField(label="Status", choices=OPEN_AND_COMPLETE)
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices)
    rag_reason = forms.CharField(
        label="Reason for a RAG other than the suggested one", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_date = _date_field("Due date", required=False)
    due_date_reason = forms.CharField(
        label="Reason for changing the due date", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label="Progress update", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has happened since the last update. Saved in the history.",
    )
    evidence = forms.CharField(
        label="Evidence summary", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What shows the action has made a difference, for example an audit result.",
    )
    evidence_file = forms.FileField(
        label="Upload evidence", required=False,
        help_text="A PDF, image, Word, Excel, PowerPoint or text file, up to 10 MB.",
    )
    evidence_link = forms.URLField(
        label="Link to evidence", required=False, max_length=500, assume_scheme="https",
        help_text="For example a page on the council's intranet.",
        error_messages={"invalid": "Enter the link as a web address, like https://intranet.example.gov.uk/audit"},
    )
    measure_name = forms.CharField(label="What is measured", required=False, max_length=200)
    measure_baseline = _measure_field("Baseline")
    measure_target = _measure_field("Target")
    measure_latest = _measure_field("Latest value")
    measure_latest_on = _date_field("Date of the latest value", required=False)

    TRACKED = ("status", "rag", "due_date", "evidence", "measure_name", "measure_baseline", "measure_target",
               "measure_latest", "measure_latest_on")

    def __init__(self, *args, action, permissions, **kwargs):
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", {})
            kwargs["initial"] = {
                "version": action.version,
                **{name: getattr(action, name) for name in self.TRACKED},
                **kwargs["initial"],
            }
        super().__init__(*args, **kwargs)
        self.action = action
        self.permissions = permissions
        self.role_hint = PARTNER_FORM_HINT if permissions.is_partner else ""
        for name in list(self.fields):
            if name != "version" and name not in permissions.fields:
                del self.fields[name]
        if "status" in self.fields and action.status == Status.CLOSED:
            # Only a checker closes an action, but a closed one must show (and keep) its real status:
            # without this choice the select would fall back to "Not started" and a save would reopen it.
            self.fields["status"].choices = [(Status.CLOSED, Status.CLOSED.label), *OPEN_AND_COMPLETE]
        if "status" in self.fields and permissions.settable_statuses is not None:
            # Only some statuses may be set (a partner: Complete): offer those beside the one it has now,
            # and no choice at all once there is nothing left to choose.
            current = (action.status, Status(action.status).label)
            offered = [(value, label) for value, label in Status.choices
                       if value in permissions.settable_statuses and value != action.status]
            if offered and action.status != Status.CLOSED:
                self.fields["status"].choices = [current, *offered]
                self.fields["status"].help_text = PARTNER_STATUS_HINT
            else:
                del self.fields["status"]
        if "evidence_file" in self.fields:
            self.fields["evidence_file"].widget.attrs["accept"] = (
                ".pdf,.png,.jpg,.jpeg,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,.csv"
            )
        if permissions.is_comment_only:
            self.fields["note"].label = "Comment"
            self.fields["note"].help_text = "Your comment is saved in the action's history."

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.TRACKED if name in self.fields}


class ActionAddForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200, error_messages={"required": "Enter the action"})
    description = forms.CharField(
        label="Description", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What will be done, by whom, and how you will know it has worked.",
    )
    owner = BoundedModelChoiceField(label="Owner", queryset=None, required=False, empty_label="Not assigned yet")
    due_date = _date_field("Due date", required=False)
    status = forms.ChoiceField(
        label="Status", choices=[c for c in Status.choices if c[0] in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED)]
    )
    rag = forms.ChoiceField(label="RAG rating", choices=Rag.choices, initial=Rag.GREEN)
    measure_name = forms.CharField(
        label="Impact measure (optional)", required=False, max_length=200,
        help_text="For example, care leavers with an up-to-date pathway plan (%)",
    )
    measure_baseline = _measure_field("Baseline")
    measure_target = _measure_field("Target")

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["owner"].queryset = owners_for_authority(authority)
        self.fields["owner"].label_from_instance = person_label


class VerifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("verify", "Verify and close"), ("send_back", "Send back")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to verify the action or send it back"},
    )
    reason = forms.CharField(
        label="Reason or comment", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when sending back: say what is missing.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "send_back" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter why the action is being sent back")
        return cleaned


class PlanSubmissionForm(forms.Form):
    draft_submitted_on = _date_field("Draft plan sent to Ofsted on", required=False)
    plan_submitted_on = _date_field("Action plan sent to Ofsted on", required=False)

    def __init__(self, *args, has_draft: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_draft:
            del self.fields["draft_submitted_on"]


# --- spreadsheet import -----------------------------------------------------------------------------


SPREADSHEET_KINDS = {"xlsx", "text", "xls"}


class PlanUploadForm(forms.Form):
    inspection = BoundedModelChoiceField(
        label="Which inspection or visit is this plan for?",
        queryset=None,
        empty_label="Choose an inspection or visit",
        error_messages={"required": "Choose the inspection or visit the plan answers"},
    )
    file = forms.FileField(
        label="Upload the action plan",
        help_text="An Excel spreadsheet (.xlsx) or a CSV file, with one action per row and a header row.",
        error_messages={"required": "Choose a spreadsheet to upload"},
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"}
        ),
    )
    label_classes = {"inspection": "govuk-label--s", "file": "govuk-label--s"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" Up to {size_display(max_upload_bytes())}."
        self.fields["inspection"].queryset = inspections_for(user).select_related("authority").order_by(
            "authority__name", "-visit_start"
        )
        self.fields["inspection"].label_from_instance = (
            lambda i: f"{i.authority.name}: {i.get_kind_display()}, {i.date_range_display}"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The one upload gate (size from MAX_UPLOAD_BYTES, type by content), then what a spreadsheet needs.
        try:
            check_upload(upload, allowed=SPREADSHEET_KINDS, description="an Excel spreadsheet (.xlsx) or a CSV file")
        except forms.ValidationError as refused:
            if refused.code != "wrong_type":
                raise
            try:
                sniff(upload.read())  # a more useful reason where there is one: an old .xls, a damaged workbook
            except SpreadsheetError as reason:
                raise forms.ValidationError(str(reason)) from refused
            raise
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
        cleaned = super().clean()
        for error in check_mapping(self.mapping()):
            self.add_error(None, error)
        return cleaned


# --- the action's own details (title, description, owner, due date) and its council's owners (h7owners) --


class ActionDetailsForm(forms.Form):
    """"Edit action details" on the action's page: what a lead or admin may change about the action itself.
    Saved through actions.services.action_change, like every other change (a due date needs a reason)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label="Action", max_length=200, error_messages={"required": "Enter the action"})
    description = forms.CharField(
        label="Description", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = BoundedModelChoiceField(label="Owner", queryset=None, required=False, empty_label="Not assigned yet")
    due_date = _date_field("Due date", required=False)
    due_date_reason = forms.CharField(
        label="Reason for changing the due date", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed only when the due date changes.",
    )

    FIELDS = ("title", "description", "owner", "due_date")

    def __init__(self, *args, action, **kwargs):
        if not args and "data" not in kwargs:
            kwargs["initial"] = {"version": action.version, **{name: getattr(action, name) for name in self.FIELDS}}
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["owner"].queryset = owners_for_authority(action.finding.inspection.authority)
        self.fields["owner"].label_from_instance = lambda owner: owner.description

    def changes(self) -> dict:
        """Only what differs from the action as read, so an unchanged due date needs no reason."""
        data = self.cleaned_data
        return {
            name: (data[name].strip() if isinstance(data[name], str) else data[name])
            for name in self.FIELDS
            if (data[name].strip() if isinstance(data[name], str) else data[name]) != getattr(self.action, name)
        }


class OwnerForm(forms.Form):
    """An owner of a council's actions: a person named in its plans, with or without an account."""

    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the owner's name"})
    job_title = forms.CharField(label="Job title (optional)", required=False, max_length=150)
    organisation = forms.CharField(
        label="Organisation (optional)", required=False, max_length=150,
        help_text="For example the council's service, or a partner agency such as the integrated care board.",
    )
    email = forms.EmailField(
        label="Email address (optional)", required=False,
        help_text="Reminders of due and overdue actions go only to owners with an email address.",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    user = BoundedModelChoiceField(
        label="Tracker account (optional)", queryset=None, required=False, empty_label="No account",
        help_text="Link the person's account so their actions appear under My actions and they can update them.",
    )

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = owner_account_choices(authority)
        self.fields["user"].label_from_instance = person_label
