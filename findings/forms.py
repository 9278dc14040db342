"""Forms for importing a publication: the upload, and the preview where an admin checks every field."""

from __future__ import annotations

from datetime import date

from django import forms
from django.forms.boundfield import BoundField

from core.forms import GovukDateField
from core.uploads import check_upload, max_upload_bytes, size_display
from findings.models import Finding, FindingKind, Theme
from findings.services import finding_repeat_suggestions
from inspections.importing.framework import FRAMEWORK_REFS
from inspections.models import GRADED_KINDS, FocusArea, Grade, InspectionKind, JudgementArea

NEW_AUTHORITY = "new"
LETTER_KINDS = {"pdf", "text"}
MAX_PASTED_CHARACTERS = 1_000_000


class ImportUploadForm(forms.Form):
    document = forms.FileField(
        label="Upload a PDF or text file",
        required=False,
        error_messages={"empty": "The selected file is empty.", "invalid": "The selected file could not be read."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.txt,.md,application/pdf,text/plain"}),
    )
    text = forms.CharField(
        label="Or paste the text of the letter or report",
        required=False,
        max_length=MAX_PASTED_CHARACTERS,
        help_text="Copy the whole letter or report from Ofsted's website, from its title to its end.",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        error_messages={"max_length": "The pasted text is too long (the limit is 1 million characters)."},
    )

    label_classes = {"document": "govuk-label--m", "text": "govuk-label--m"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = f"PDF (with a text layer) or .txt, up to {self.size_limit_display}."

    @property
    def size_limit_display(self) -> str:
        return size_display(max_upload_bytes())

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document is not None:
            # The one upload gate (size, type by content); the importer then reads the text or says why not.
            check_upload(document, allowed=LETTER_KINDS, description="a PDF or a text file")
        return document

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        document, text = cleaned.get("document"), (cleaned.get("text") or "").strip()
        if document is None and not text:
            self.add_error("document", "Select a PDF or text file, or paste the text of the letter.")
        elif document is not None and text:
            self.add_error("text", "Upload a file or paste text, not both.")
        return cleaned

    def source(self) -> tuple[bytes, str, str]:
        """(bytes, file name, field that carried them) of the valid upload."""
        document = self.cleaned_data.get("document")
        if document is not None:
            return document.read(max_upload_bytes() + 1), document.name, "document"
        return self.cleaned_data["text"].strip().encode("utf-8"), "", "text"


# --- a finding after import --------------------------------------------------------------------------


class FindingEditForm(forms.Form):
    """An admin corrects a finding's wording, theme and national framework tags."""

    text = forms.CharField(
        label="What needs to improve",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="As published. Correct the wording only where the import misread it.",
        error_messages={"required": "Enter what needs to improve"},
    )
    theme = forms.ModelChoiceField(
        label="Theme", queryset=Theme.objects.none(), required=False, empty_label="No theme",
    )
    framework_refs = forms.MultipleChoiceField(
        label="Children’s Social Care: National Framework",
        required=False,
        choices=FRAMEWORK_REFS,
        widget=forms.CheckboxSelectMultiple,
        help_text="The outcomes, enablers and principles this finding is cross-referenced with. Select all that apply.",
        error_messages={"invalid_choice": "Choose national framework references from the list"},
    )
    read_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    label_classes = {"text": "govuk-label--m", "theme": "govuk-label--m", "framework_refs": "govuk-label--m"}

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes

    def clean_text(self) -> str:
        return " ".join(self.cleaned_data["text"].split())

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("text", "theme", "framework_refs")}


# --- the preview -----------------------------------------------------------------------------------


def _grade_field_name(area: str) -> str:
    return f"grade_{area}"


# From April 2026 Ofsted's inspection reports no longer give an overall effectiveness grade.
OVERALL_GRADE_DROPPED_ON = date(2026, 4, 1)


class ImportPreviewForm(forms.Form):
    authority = forms.ChoiceField(label="Council", error_messages={"required": "Choose the council"})
    kind = forms.ChoiceField(
        label="Kind of publication",
        choices=InspectionKind.choices,
        error_messages={"required": "Choose the kind of publication"},
    )
    focus_area = forms.ChoiceField(
        label="Area of practice looked at (visits only)",
        required=False,
        choices=[("", "Not stated, or not a visit")] + list(FocusArea.choices),
    )
    visit_start = GovukDateField(label="First day on site", description="the date the visit started")
    visit_end = GovukDateField(label="Last day on site", description="the date the visit ended")
    published_on = GovukDateField(
        label="Date of the letter or publication",
        description="the date of the letter",
        required=False,
        help_text="For example, 1 3 2023. Leave empty if the publication is not dated.",
    )
    inspectors = forms.CharField(
        label="Inspectors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One name per line.",
    )
    headline = forms.CharField(
        label="Headline summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The opening summary, shown at the top of the inspection page.",
    )
    label_classes = {"authority": "govuk-label--s", "kind": "govuk-label--s", "focus_area": "govuk-label--s",
                     "inspectors": "govuk-label--s", "headline": "govuk-label--s"}
    nothing_to_improve = forms.BooleanField(
        label="This publication names nothing to improve", required=False
    )
    # The plan's statutory dates (70 working days, 20 for a draft after priority actions) count from the
    # letter: an old inspection imported for the record says whether its plan already went, and when.
    plan_sent = forms.ChoiceField(
        label="Has the council already sent its action plan to Ofsted?",
        required=False,
        choices=[("no", "No, not yet"), ("yes", "Yes")],
        widget=forms.RadioSelect,
        help_text="Only for an inspection or visit that needs an action plan: full and short inspections, and "
                  "visits with areas for priority action.",
    )
    plan_sent_on = GovukDateField(
        label="Date the action plan was sent", description="the date the action plan was sent", required=False,
        help_text="For example, 27 3 2020. Leave empty if the plan has not been sent.",
    )

    def __init__(
        self, *args, authorities, new_authority_label: str = "", improvement_heading_without_points: bool = False,
        undated: bool = False, **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The document has a "what needs to improve" heading but the importer read no point under it: saving
        # without any improvement point then needs the admin to say so (never a silent empty list).
        self.improvement_heading_without_points = improvement_heading_without_points
        if undated:
            self.fields["published_on"].help_text = (
                "The document gives no date: enter the date it was published. The action plan’s statutory dates "
                "are counted from it. For example, 1 3 2023."
            )
        choices = [("", "Choose a council")] + [(a.slug, a.name) for a in authorities]
        if new_authority_label:
            choices.append((NEW_AUTHORITY, new_authority_label))
        self.fields["authority"].choices = choices
        self._authorities = {a.slug: a for a in authorities}
        for area, label in JudgementArea.choices:
            self.fields[_grade_field_name(area)] = forms.ChoiceField(
                label=label, required=False, choices=[("", "Not judged")] + list(Grade.choices)
            )
            self.label_classes = {**self.label_classes, _grade_field_name(area): "govuk-label--s"}

    @property
    def grade_fields(self) -> list[BoundField]:
        return [self[_grade_field_name(area)] for area in JudgementArea.values]

    @property
    def date_fields(self) -> list[BoundField]:
        return [self["visit_start"], self["visit_end"], self["published_on"]]

    def clean_inspectors(self) -> list[str]:
        lines = (line.strip(" \t•-*,;") for line in self.cleaned_data["inspectors"].splitlines())
        return [line for line in lines if line]

    def clean(self):
        cleaned = super().clean()
        start, end, published = cleaned.get("visit_start"), cleaned.get("visit_end"), cleaned.get("published_on")
        if start and end and end < start:
            self.add_error("visit_end", "The date the visit ended must be the same as or after the date it started")
        if end and published and published < end:
            self.add_error("published_on", "The date of the letter must be the same as or after the last day on site")
        kind = cleaned.get("kind")
        if kind in GRADED_KINDS and not published and "published_on" not in self.errors:
            self.add_error(
                "published_on",
                "Enter the date of the report: the action plan is due 70 working days after it",
            )
        self._clean_plan_sent(cleaned, start=start, end=end, published=published)
        grades = {area: cleaned.get(_grade_field_name(area)) for area in JudgementArea.values}
        given = {area: grade for area, grade in grades.items() if grade}
        if kind and kind in GRADED_KINDS:
            # reports from April 2026 give no overall effectiveness grade, only the other judgements
            if not given.get(JudgementArea.OVERALL) and (
                not given or (start and start < OVERALL_GRADE_DROPPED_ON)
            ):
                self.add_error(
                    _grade_field_name(JudgementArea.OVERALL),
                    "Choose the overall effectiveness grade (reports of inspections from April 2026 have none: "
                    "then grade the other areas)",
                )
            if given.get(JudgementArea.IN_CARE_AND_LEAVERS) and (
                given.get(JudgementArea.CHILDREN_IN_CARE) or given.get(JudgementArea.CARE_LEAVERS)
            ):
                self.add_error(
                    _grade_field_name(JudgementArea.IN_CARE_AND_LEAVERS),
                    "Grade either the combined children in care and care leavers area (before 2023) or the two "
                    "separate areas, not both",
                )
        elif kind and given:
            self.add_error(
                "kind",
                "Visits are not graded: choose full or short inspection, or set every judgement to Not judged",
            )
        cleaned["judgements"] = list(given.items()) if kind in GRADED_KINDS else []
        return cleaned

    def _clean_plan_sent(self, cleaned, *, start, end, published) -> None:
        sent = cleaned.get("plan_sent")
        sent_on = cleaned.get("plan_sent_on")
        if sent != "yes":
            cleaned["plan_submitted_on"] = None
            if sent_on and "plan_sent_on" not in self.errors:
                self.add_error("plan_sent", "Choose Yes if the action plan was sent, or empty its date")
            return
        letter = published or end
        if sent_on is None:
            if "plan_sent_on" not in self.errors:
                self.add_error("plan_sent_on", "Enter the date the action plan was sent")
        elif sent_on > date.today():
            self.add_error("plan_sent_on", "The date the action plan was sent must be today or in the past")
        elif letter and sent_on < letter:
            self.add_error("plan_sent_on", "The date the action plan was sent must be the same as or after the date of the letter")
        cleaned["plan_submitted_on"] = sent_on

    def check_points(self, points) -> bool:
        """After both forms are valid: refuse to save no improvement point from a document that has a
        "what needs to improve" heading unless the admin ticked that it names nothing to improve."""
        priority = any(point.cleaned_data.get("kind") == FindingKind.PRIORITY_ACTION for point in points.kept_forms())
        if priority and not self.cleaned_data.get("published_on"):
            self.add_error(
                "published_on",
                "Enter the date of the letter: the draft action plan for the areas for priority action is due "
                "20 working days after it",
            )
            return False
        if not self.improvement_heading_without_points or self.cleaned_data.get("nothing_to_improve"):
            return True
        if any(point.cleaned_data.get("kind") == FindingKind.IMPROVEMENT for point in points.kept_forms()):
            return True
        self.add_error(
            "nothing_to_improve",
            "The publication has a “What needs to improve” section but no point was read from it: add its points, "
            "or tick “This publication names nothing to improve”",
        )
        return False

    def chosen_authority(self):
        """The chosen LocalAuthority, or None when the admin chose to create the letter's authority."""
        slug = self.cleaned_data["authority"]
        return None if slug == NEW_AUTHORITY else self._authorities[slug]


# The longest point in the corpus is about 1,500 characters.
MAX_POINT_CHARACTERS = 10_000


class PointForm(forms.Form):
    """One improvement point or priority action in the preview's editable list."""

    text = forms.CharField(
        label="Text of the point",
        required=False,
        max_length=MAX_POINT_CHARACTERS,
        error_messages={
            "max_length": f"A point must be at most {MAX_POINT_CHARACTERS:,} characters: split a longer one into several."
        },
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="As published. Empty the box or tick Remove to drop this point.",
    )
    kind = forms.ChoiceField(label="Type", choices=FindingKind.choices, initial=FindingKind.IMPROVEMENT)
    theme = forms.ChoiceField(label="Theme", required=False)
    framework_refs = forms.MultipleChoiceField(
        label="National framework",
        required=False,
        choices=FRAMEWORK_REFS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose national framework references from the list"},
    )
    repeats = forms.ChoiceField(label="Does this point repeat an earlier finding?", required=False,
                                widget=forms.RadioSelect)

    def __init__(self, *args, themes: list[Theme], earlier: list[Finding], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "No theme")] + [(str(t.pk), t.name) for t in themes]
        for name in ("kind", "theme"):  # full width of the point's column (half the page beside the document)
            self.fields[name].widget.attrs["class"] = "app-filter__control"
        self._themes = {str(t.pk): t for t in themes}
        earlier_by_id = {str(f.pk): f for f in earlier}
        self._earlier = earlier_by_id
        text = self.data.get(self.add_prefix("text"), "") if self.is_bound else self.initial.get("text", "")
        # A point over the limit is refused anyway: no time spent comparing it.
        too_long = len(text or "") > MAX_POINT_CHARACTERS
        self.repeat_suggestions = [] if too_long else finding_repeat_suggestions(text or "", earlier)
        offered = [str(s.finding.pk) for s in self.repeat_suggestions]
        chosen = self.data.get(self.add_prefix("repeats"), "") if self.is_bound else str(self.initial.get("repeats") or "")
        if chosen in earlier_by_id and chosen not in offered:
            # Keep the admin's choice on screen even when an edit to the text moved it out of the top matches.
            self.repeat_suggestions.insert(0, _Kept(earlier_by_id[chosen]))
            offered.insert(0, chosen)
        self.fields["repeats"].choices = [(pk, pk) for pk in offered] + [("", "No")]
        self.chosen_repeat = chosen if chosen in offered else ""

    def clean_text(self) -> str:
        return " ".join(self.cleaned_data["text"].split())

    def chosen_theme(self) -> Theme | None:
        return self._themes.get(self.cleaned_data.get("theme") or "")

    def chosen_earlier(self) -> Finding | None:
        return self._earlier.get(self.cleaned_data.get("repeats") or "")


class _Kept:
    """A previously chosen earlier finding shown among the suggestions, without a similarity score."""

    def __init__(self, finding: Finding):
        self.finding = finding
        self.score = None
        self.percent = None


class BasePointFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[PointForm]:
        """Forms in the admin's order, without removed or emptied points (call after is_valid)."""
        return [form for form in self.ordered_forms if form.cleaned_data.get("text")]


PointFormSet = forms.formset_factory(
    PointForm, formset=BasePointFormSet, extra=0, can_order=True, can_delete=True, max_num=200, absolute_max=200
)
POINTS_PREFIX = "points"


POINT_FIELDS = ("text", "kind", "theme", "repeats", "framework_refs")


def points_reordered(data, *, add: bool = False, themes: list[Theme] | None = None):
    """The posted list re-numbered in the order the admin asked for, removed points dropped, and optionally
    one empty point added at the end: how "Update the list" and "Add another point" work without JavaScript.

    A point typed into an empty box (``was_empty``) gets a suggested theme when it has none; national
    framework references typed or pasted in brackets at its end become its tags, as for imported points.
    """
    from findings.services import theme_suggest
    from inspections.importing.framework import split_refs

    prefix = POINTS_PREFIX
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 200)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        key = f"{prefix}-{index}-"
        if data.get(key + "DELETE"):
            continue
        try:
            order = int(data.get(key + "ORDER", ""))
        except (TypeError, ValueError):
            order = 10_000 + index
        fields = {name: data.get(key + name, "") for name in ("text", "kind", "theme", "repeats")}
        fields["framework_refs"] = data.getlist(key + "framework_refs") if hasattr(data, "getlist") else []
        if fields["text"].strip():
            text, refs, _ = split_refs(" ".join(fields["text"].split()))
            if refs and text:
                fields["text"] = text
                fields["framework_refs"] = list(dict.fromkeys(fields["framework_refs"] + refs))
            if data.get(key + "was_empty") and not fields["theme"] and themes:
                suggested = theme_suggest(fields["text"], themes)
                fields["theme"] = str(suggested.pk) if suggested else ""
        rows.append((order, index, fields))
    rows.sort(key=lambda row: (row[0], row[1]))
    new = data.copy()
    for name in list(new.keys()):
        if name.startswith(f"{prefix}-"):
            del new[name]
    if add:
        rows.append((0, 0, {"text": "", "kind": FindingKind.IMPROVEMENT, "theme": "", "repeats": "", "framework_refs": []}))
    for position, (_, _, fields) in enumerate(rows):
        for name, value in fields.items():
            if isinstance(value, list):
                new.setlist(f"{prefix}-{position}-{name}", value)
            else:
                new[f"{prefix}-{position}-{name}"] = value
        new[f"{prefix}-{position}-ORDER"] = str(position + 1)
    new[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    new[f"{prefix}-INITIAL_FORMS"] = "0"
    new[f"{prefix}-MIN_NUM_FORMS"] = "0"
    new[f"{prefix}-MAX_NUM_FORMS"] = "200"
    return new


def points_as_rows(data) -> list[dict]:
    """The (re-numbered) posted points as plain rows, to keep in the draft."""
    try:
        total = min(int(data.get(f"{POINTS_PREFIX}-TOTAL_FORMS", 0)), 200)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for index in range(total):
        key = f"{POINTS_PREFIX}-{index}-"
        row = {name: data.get(key + name, "") for name in ("text", "kind", "theme", "repeats")}
        row["framework_refs"] = [r for r in data.getlist(key + "framework_refs") if r in _KNOWN_REFS][:20]
        row["text"] = row["text"][:20_000]
        rows.append(row)
    return rows


from inspections.importing.framework import KNOWN_REFS as _KNOWN_REFS  # noqa: E402
