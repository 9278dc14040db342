from __future__ import annotations

from django import forms

from api.services import default_expiry


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, so you can tell your tokens apart, for example 'Power BI board report'.",
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds", "spellcheck": "false"}),
    )
    expires_on = forms.DateField(
        label="Expires on",
        help_text="It stops working after this day: at most a year from today (90 days unless you change it).",
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input--width-10"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = default_expiry()
