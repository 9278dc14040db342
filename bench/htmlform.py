"""What a browser would submit for a form on a page: its fields with their current values.

Shared by the load benchmark and the query-count guards, so both POST exactly what the page offers.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "method": (attrs.get("method") or "get").lower(),
                          "fields": {}, "files": []}
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append(name)
            elif kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "image", "reset"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select" and self._select and self._form is not None:
            self._form["fields"].setdefault(self._select, self._select_first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data


def post_forms(html: str) -> list[dict]:
    """Every POST form on the page: {"action", "method", "fields": {name: value}, "files": [names]}."""
    parser = _FormParser(None)
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


def form_with_field(html: str, field: str) -> dict | None:
    """The first POST form that has this field (e.g. "version" for an action's update form)."""
    return next((form for form in post_forms(html) if field in form["fields"] or field in form["files"]), None)
