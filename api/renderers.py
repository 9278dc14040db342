"""CSV for every list (`?format=csv` or `Accept: text/csv`): one row per record, nested values as
`parent.child` columns, lists joined with "; ". Cells a spreadsheet would run as formulas are neutralised
as in the action plan export, and a byte-order mark makes Excel read UTF-8."""

from __future__ import annotations

import csv
import io

from rest_framework.renderers import BaseRenderer

from actions.exports import neutralise
from core.text import csv_safe


def _flatten(value, prefix: str = "", out: dict | None = None) -> dict:
    out = {} if out is None else out
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in value):
            out[prefix or "value"] = "; ".join("" if item is None else str(item) for item in value)
        else:
            for index, item in enumerate(value):
                _flatten(item, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out[prefix or "value"] = value
    return out


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralise(csv_safe(str(value)))


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            records = data["results"]
        elif isinstance(data, list):
            records = data
        else:
            records = [data]
        rows = [_flatten(record) if isinstance(record, (dict, list)) else {"value": record} for record in records]
        header: list[str] = []
        seen = set()
        for row in rows:
            for key in row:
                if key not in seen:
                    seen.add(key)
                    header.append(key)
        # An object that is null in some rows (an action with no progress update yet) keeps its columns.
        nested = {key.split(".", 1)[0] for key in header if "." in key}
        header = [key for key in header if key not in nested]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row.get(key)) for key in header])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
