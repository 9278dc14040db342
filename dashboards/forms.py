from __future__ import annotations

from datetime import date

from django import forms


class BoardDateForm(forms.Form):
    """The date of the previous board, as a GOV.UK date input (day, month, year), or ?since=YYYY-MM-DD."""

    day = forms.CharField(required=False)
    month = forms.CharField(required=False)
    year = forms.CharField(required=False)

    def __init__(self, data=None, *, today: date, **kwargs):
        self.today = today
        if data is not None:
            data = data.copy()
            since = (data.get("since") or "").strip()
            if since and not any(data.get(k) for k in ("day", "month", "year")):
                parts = since.split("-")
                if len(parts) == 3:
                    data["year"], data["month"], data["day"] = parts
                else:
                    data["day"], data["month"], data["year"] = since, "?", "?"  # not a real date
        super().__init__(data, **kwargs)
        self.highlight: set[str] = set()

    @property
    def submitted(self) -> bool:
        return self.is_bound and any((self.data.get(k) or "").strip() for k in ("day", "month", "year", "since"))

    def clean(self):
        cleaned = super().clean()
        values = {k: (cleaned.get(k) or "").strip() for k in ("day", "month", "year")}
        missing = [k for k, v in values.items() if not v]
        self.highlight = {"day", "month", "year"}
        if len(missing) == 3:
            self.add_error("day", "Enter the date of the previous board")
            return cleaned
        if missing:
            self.highlight = set(missing)
            self.add_error(missing[0], f"The date of the previous board must include a {' and '.join(missing)}")
            return cleaned
        if not all(v.isdigit() and len(v) <= 4 for v in values.values()):
            self.add_error("day", "The date of the previous board must be a real date, in numbers, like 27 3 2026")
            return cleaned
        if len(values["year"]) != 4:
            self.highlight = {"year"}
            self.add_error("year", "Year must include 4 numbers")
            return cleaned
        try:
            chosen = date(int(values["year"]), int(values["month"]), int(values["day"]))
        except ValueError:
            self.add_error("day", "The date of the previous board must be a real date")
            return cleaned
        if chosen > self.today:
            self.add_error("day", "The date of the previous board must be today or in the past")
            return cleaned
        if chosen.year < 2000:
            self.highlight = {"year"}
            self.add_error("year", "The date of the previous board must be after 1 January 2000")
            return cleaned
        self.highlight = set()
        cleaned["since"] = chosen
        return cleaned

    @property
    def date_error(self) -> str:
        """One message for the whole date input, as the GOV.UK pattern shows it."""
        for name in ("day", "month", "year"):
            if self.errors.get(name):
                return self.errors[name][0]
        return ""

    @property
    def first_error_field(self) -> str:
        return next((n for n in ("day", "month", "year") if n in getattr(self, "highlight", set())), "day")


class VisitChoiceForm(forms.Form):
    """Which of the council's visits to compare (GET, checkboxes): two or more of its own visits.

    An id that is not one of the council's visits is left out, and counted in `ignored` so the page can
    say so; nothing about another council's visit is shown.
    """

    visit = forms.TypedMultipleChoiceField(
        label="Visits to compare",
        help_text="Choose two or more inspections or visits.",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, visits, initial_ids: list[int], **kwargs):
        self.ignored = 0
        if data is not None:
            data = data.copy()
            known = {str(visit.pk) for visit in visits}
            asked = list(dict.fromkeys(data.getlist("visit")))
            kept = [value for value in asked if value in known]
            self.ignored = len(asked) - len(kept)
            data.setlist("visit", kept)
        super().__init__(data, initial={"visit": initial_ids}, **kwargs)
        self.fields["visit"].choices = [(visit.pk, visit_label(visit)) for visit in visits]

    def clean_visit(self) -> list[int]:
        chosen = list(dict.fromkeys(self.cleaned_data.get("visit") or []))
        if len(chosen) < 2:
            raise forms.ValidationError("Choose at least two visits to compare")
        return chosen


def visit_label(visit) -> str:
    focus = f": {visit.get_focus_area_display().lower()}" if getattr(visit, "focus_area", "") else ""
    return f"{visit.get_kind_display()}{focus}, {visit.date_range_display}"
