"""Forms for the second factor and for managing people (GOV.UK Frontend classes on every widget)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import Role

INPUT = "govuk-input"
SELECT = "govuk-select"


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "class": f"{INPUT} govuk-input--width-10",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "inputmode": "text",
                "aria-describedby": "id_code-hint",
            }
        ),
    )


class TwoFactorSetupForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        help_text="Enter the 6-digit code your app shows for the Inspection Findings Tracker.",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "class": f"{INPUT} govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "aria-describedby": "id_code-hint",
            }
        ),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"class": INPUT, "autocomplete": "email", "spellcheck": "false"}),
    )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = f"{INPUT} govuk-!-width-one-half"
        self.fields["new_password1"].help_text = "At least 12 characters, not a common password."
        self.fields["new_password1"].widget.attrs["aria-describedby"] = "id_new_password1-hint"


def _council_choices(councils):
    return [("", "Choose a council")] + [(str(c.pk), c.name) for c in councils]


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"class": INPUT, "autocomplete": "off", "spellcheck": "false"}),
    )
    first_name = forms.CharField(label="First name", max_length=150, widget=forms.TextInput(attrs={"class": INPUT}))
    last_name = forms.CharField(label="Last name", max_length=150, widget=forms.TextInput(attrs={"class": INPUT}))
    council = forms.ChoiceField(label="Council", widget=forms.Select(attrs={"class": SELECT}))
    role = forms.ChoiceField(
        label="Role", choices=[("", "Choose a role")] + Role.choices, widget=forms.Select(attrs={"class": SELECT})
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.councils = {str(c.pk): c for c in councils}
        self.fields["council"].choices = _council_choices(councils)

    def clean_council(self):
        return self.councils[self.cleaned_data["council"]]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.Select(attrs={"class": SELECT}))


class CouncilForm(forms.Form):
    council = forms.ChoiceField(label="Council", widget=forms.Select(attrs={"class": SELECT}))

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.councils = {str(c.pk): c for c in councils}
        self.fields["council"].choices = _council_choices(councils)

    def clean_council(self):
        return self.councils[self.cleaned_data["council"]]
