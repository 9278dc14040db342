from __future__ import annotations

from django import forms

from search.selectors import GROUPS, MAX_QUERY_LENGTH, QueryError, clean_query


class SearchForm(forms.Form):
    """The header's search box (GET): the words, and optionally one group to page through."""

    q = forms.CharField(label="Search", required=False, strip=False)
    # A longer query is refused with a message, not cut short: maxlength on the box, checked here.
    group = forms.ChoiceField(choices=[("", "All"), *[(key, label) for key, (label, _) in GROUPS.items()]],
                              required=False)

    def __init__(self, data=None, **kwargs):
        if data is not None:
            group = data.get("in", "")
            # An unknown group (an edited link) shows every group rather than an error.
            data = {"q": data.get("q", ""), "group": group if group in GROUPS else ""}
        super().__init__(data, **kwargs)
        self.fields["q"].widget.attrs.update({"maxlength": MAX_QUERY_LENGTH, "type": "search"})

    def clean_q(self) -> str:
        try:
            return clean_query(self.cleaned_data.get("q"))
        except QueryError as error:
            raise forms.ValidationError(str(error)) from None
