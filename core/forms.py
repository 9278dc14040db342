"""GOV.UK form fields through Django's form renderer: one field template for every form.

settings.FORM_RENDERER names GovukFormRenderer, so `{{ form.name.as_field_group }}` renders
templates/components/field.html (label or legend, hint, error message, the widget) for any form, and
GovukBoundField puts GOV.UK classes on the widget, the error modifier on a field that failed, and
`aria-describedby` naming the hint and the error.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import Jinja2
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import cached_property

from core.dates import UK_DATE_INPUTS
from core.jinja import jinja_engine

# The GOV.UK class of each kind of widget (BoundField.widget_type); others (radios, checkboxes, the date
# input) are laid out by the field template.
WIDGET_CLASSES = {
    "text": "govuk-input",
    "number": "govuk-input",
    "email": "govuk-input",
    "url": "govuk-input",
    "password": "govuk-input",
    "date": "govuk-input",
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "nullbooleanselect": "govuk-select",
    "file": "govuk-file-upload",
    "clearablefile": "govuk-file-upload",
}


class GovukBoundField(BoundField):
    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def aria_describedby(self) -> str | None:
        if self.field.widget.attrs.get("aria-describedby"):
            return None
        ids = []
        if self.auto_id and not self.is_hidden:
            if self.help_text:
                ids.append(self.hint_id)
            if self.errors:
                ids.append(self.error_id)
        return " ".join(ids)

    @property
    def label_class(self) -> str:
        """The label's (or legend's) size, e.g. govuk-label--s: from the form's `label_classes`."""
        return getattr(self.form, "label_classes", {}).get(self.name, "")

    @property
    def legend_class(self) -> str:
        """The legend's size for a field in a fieldset: the label's size, small by default."""
        return self.label_class.replace("govuk-label", "govuk-fieldset__legend") or "govuk-fieldset__legend--s"

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        base = WIDGET_CLASSES.get(self.widget_type)
        if base and not widget.is_hidden:
            classes = [base]
            if self.errors:
                classes.append(f"{base}--error")
            # The widget's own classes (a width, a page's hook) follow: build_attrs would otherwise drop them.
            classes += [c for c in widget.attrs.get("class", "").split() if c not in classes]
            attrs["class"] = " ".join(classes)
        return attrs


class GovukFormRenderer(Jinja2):
    """GOV.UK bound fields, rendered by Jinja2: the field template from templates/jinja2/, the widgets'
    from Django's own Jinja2 set. Pages stay Django templates; only form fields take this path, where a
    list page's filters and options were a third of its rendering time (docs/benchmarks.md)."""

    field_template_name = "components/field.html"
    bound_field_class = GovukBoundField

    @cached_property
    def engine(self):
        return jinja_engine()

    def get_template(self, template_name):
        try:
            return self.engine.get_template(template_name)
        except TemplateDoesNotExist:
            # The admin site's own widgets (the related-record links, autocomplete) are Django templates only.
            return get_template(template_name)


# --- GOV.UK date input: day, month and year in three boxes -------------------------------------------
#
# One date field for every form (core.forms.GovukDateField): three boxes posted as <name>_day, <name>_month
# and <name>_year. A single <name> value in a UK or ISO format (a link such as ?due_from=2026-05-01, a
# bookmark, a script) is accepted too, so every URL that worked with a date box still works.


def _parse_single(text: str) -> date | None:
    for fmt in UK_DATE_INPUTS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class GovukDateBoundField(GovukBoundField):
    date_parts = (("day", 2), ("month", 2), ("year", 4))

    @property
    def id_for_label(self) -> str:
        """The day box: where the error summary's link takes the person (GOV.UK's date input pattern)."""
        return f"{self.auto_id}_day" if self.auto_id else ""

    @property
    def parts(self) -> dict[str, str]:
        """Day, month and year to show in the three boxes: what was typed, or the initial date."""
        value = self.value()
        if isinstance(value, str):
            value = _parse_single(value.strip()) or value
            if isinstance(value, str):
                return {"day": value, "month": "", "year": ""}  # shown back as typed, beside its error
        if isinstance(value, date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        if isinstance(value, (list, tuple)) and len(value) == 3:
            return {key: part or "" for key, part in zip(("day", "month", "year"), value)}
        return {"day": "", "month": "", "year": ""}


class GovukDateWidget(forms.MultiWidget):
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__({"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()}, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    def value_from_datadict(self, data, files, name):
        if not any(f"{name}_{part}" in data for part in ("day", "month", "year")) and name in data:
            return data.get(name)  # one value: ?due_from=2026-05-01
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the GOV.UK design system's error messages: a missing
    part, letters, a two-figure year, an impossible date (31 2 2027) or one outside `years` each get a
    sentence naming the date (`description`, e.g. "the due date"; by default from the label)."""

    widget = GovukDateWidget

    def __init__(self, *, description: str = "", help_text: str = "For example, 25 1 2023",
                 years: tuple[int, int] = (1990, 2100), **kwargs):
        super().__init__(help_text=help_text, **kwargs)
        self.description = description or f"the {str(self.label or 'date').lower()}"
        self.years = years

    def get_bound_field(self, form, field_name):
        return GovukDateBoundField(form, self, field_name)

    def _subject(self) -> str:
        return self.description[0].upper() + self.description[1:]

    def to_python(self, value):
        if isinstance(value, date) or value in (None, ""):
            return value or None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return self._empty()
            chosen = _parse_single(text)
            if chosen is None:
                raise forms.ValidationError(f"{self._subject()} must be a real date, for example 31 3 2027")
            return self._in_range(chosen)
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        day, month, year = parts
        subject = self._subject()
        if not any(parts):
            return self._empty()
        missing = [name for name, part in zip(("day", "month", "year"), parts) if not part]
        if missing:
            raise forms.ValidationError(f"{subject} must include a {' and a '.join(missing)}")
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(f"{subject} must be a real date, in numbers, for example 31 3 2027")
        if len(year) != 4:
            raise forms.ValidationError("Year must include 4 numbers")
        try:
            chosen = date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{subject} must be a real date") from None
        return self._in_range(chosen)

    def _empty(self):
        if self.required:
            raise forms.ValidationError(f"Enter {self.description}")
        return None

    def _in_range(self, chosen: date) -> date:
        first, last = self.years
        if not first <= chosen.year <= last:
            raise forms.ValidationError(f"{self._subject()} must be between {first} and {last}")
        return chosen

    def clean(self, value):
        value = self.to_python(value)
        self.run_validators(value)
        return value

    def has_changed(self, initial, data) -> bool:
        try:
            return self.to_python(data) != (initial or None)
        except forms.ValidationError:
            return True
