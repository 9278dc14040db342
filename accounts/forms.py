"""Forms for the second factor and for managing people (GOV.UK Frontend classes on every widget)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import Role

def _code_field(*, label: str, help_text: str, max_length: int, width: int, inputmode: str) -> forms.CharField:
    # GOV.UK classes, the hint and the error message's ids come from the one field template (core.forms).
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=max_length,
        widget=forms.TextInput(
            attrs={
                "class": f"govuk-input--width-{width}",
                "autocomplete": "one-time-code",
                "inputmode": inputmode,
                "spellcheck": "false",
            }
        ),
    )


class TwoFactorCodeForm(forms.Form):
    code = _code_field(
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=16,
        width=10,
        inputmode="text",
    )


class TwoFactorSetupForm(forms.Form):
    code = _code_field(
        label="Code from your app",
        help_text="Enter the 6-digit code your app shows for the Inspection Findings Tracker.",
        max_length=8,
        width=5,
        inputmode="numeric",
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "govuk-!-width-one-half"
        self.fields["new_password1"].help_text = "At least 12 characters, not a common password."


def _council_choices(councils):
    return [("", "Choose a council")] + [(str(c.pk), c.name) for c in councils]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    council = forms.ChoiceField(label="Council")
    role = forms.ChoiceField(
        label="Role", choices=[("", "Choose a role")] + Role.choices
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.councils = {str(c.pk): c for c in councils}
        self.fields["council"].choices = _council_choices(councils)

    def clean_council(self):
        return self.councils[self.cleaned_data["council"]]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class CouncilForm(forms.Form):
    council = forms.ChoiceField(label="Council")

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.councils = {str(c.pk): c for c in councils}
        self.fields["council"].choices = _council_choices(councils)

    def clean_council(self):
        return self.councils[self.cleaned_data["council"]]
