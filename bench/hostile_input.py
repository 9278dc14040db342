"""Hostile input costs little: the time and peak memory of each refusal, each case in a fresh process
(so the peak is what one gunicorn worker would reach, Django and the app loaded).

    .venv/bin/python bench/hostile_input.py            # prints a Markdown table for docs/benchmarks.md

Targets (issue #13): a clear message within 5 s and under 300 MB of worker memory, never a 500.
No database is needed: each case runs the code the request reaches after the view has parsed it.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT_S = 5.0
MEMORY_LIMIT_MB = 300


def _pasted_script_tags():
    from inspections.importing import ImportRejected, import_upload

    text = ("<html>" + "<script" * 100_000).encode()  # 700 KB
    try:
        import_upload(text, "")
    except ImportRejected as rejected:
        return rejected.message
    return "accepted"


def _long_point():
    from findings.models import Finding
    from findings.forms import PointForm

    earlier = [
        Finding(pk=n, text="Management oversight of plans for children in need is not consistently effective. " * 3)
        for n in range(1, 41)
    ]  # forty earlier findings, as a council with several visits has
    point = "Managers do not oversee plans for children in need. " * 29_000  # 1.5 MB
    form = PointForm(data={"text": point, "kind": "improvement"}, themes=[], earlier=earlier)
    return "; ".join(form.errors["text"]) if not form.is_valid() else "accepted"


def _point_at_the_limit():
    from findings.models import Finding
    from findings.forms import MAX_POINT_CHARACTERS, PointForm

    earlier = [
        Finding(pk=n, text="Management oversight of plans for children in need is not consistently effective. " * 3)
        for n in range(1, 41)
    ]
    point = ("Managers do not oversee plans for children in need. " * 200)[:MAX_POINT_CHARACTERS]
    form = PointForm(data={"text": point, "kind": "improvement"}, themes=[], earlier=earlier)
    return f"accepted as it should be ({len(point):,} characters, {len(form.repeat_suggestions)} repeats suggested)"


@functools.cache
def _wide_row_file() -> bytes:
    from tests.hostile_files import wide_row_xlsx

    return wide_row_xlsx(2_500_000)


def _wide_row_xlsx():
    from actions import plan_import

    data = _wide_row_file()
    try:
        plan_import.read_sheet(data, plan_import.sniff(data))
    except plan_import.SpreadsheetError as error:
        return f"{str(error)} ({len(data) // 1024} KB file)"
    return "accepted"


def _malformed_cell_xlsx():
    from actions import plan_import
    from tests.hostile_files import malformed_xlsx

    data = malformed_xlsx()
    try:
        plan_import.read_sheet(data, plan_import.sniff(data))
    except plan_import.SpreadsheetError as error:
        return str(error)
    return "accepted"


def _body_over_the_limit():
    import io

    from django.test import RequestFactory

    from config.middleware import RequestSizeLimitMiddleware

    class Unread(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().generic(
        "POST", "/actions/1/update/", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024), **{"wsgi.input": Unread()},
    )
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = RequestSizeLimitMiddleware(lambda r: None)(request)
    return f"{response.status_code}: 60 MB declared, nothing read"


def _id_too_large():
    from actions.filters import _IdChoiceField
    from core.ids import database_id

    field = _IdChoiceField(queryset=None)
    try:
        field.clean("9" * 30)
    except Exception as error:  # ValidationError
        return f"{database_id('9' * 30)!r}; {'; '.join(getattr(error, 'messages', [str(error)]))}"
    return "accepted"


CASES = {
    "pasted letter: 700 KB of `<script`": _pasted_script_tags,
    "import preview: a point of 1.5 MB (40 earlier findings)": _long_point,
    "import preview: a point of 10,000 characters, the most allowed (40 earlier findings)": _point_at_the_limit,
    "XLSX: one row of 2,500,000 cells": _wide_row_xlsx,
    "XLSX: a malformed cell value": _malformed_cell_xlsx,
    "upload: body of 60 MB declared": _body_over_the_limit,
    "filter: id of 30 digits": _id_too_large,
}


def run_case(name: str) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    CASES[name]()  # a worker has its modules loaded and templates compiled: time the second request
    started = time.perf_counter()
    message = CASES[name]()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"case": name, "seconds": round(seconds, 3), "peak_mb": round(peak_mb, 1), "message": message}


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
        return 0
    results = []
    for name in CASES:
        output = subprocess.run(
            [sys.executable, __file__, "--case", name], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
    print(f"| input | time (s) | peak worker memory (MB) | answer |\n|---|---|---|---|")
    failed = False
    for result in results:
        ok = result["seconds"] < TIME_LIMIT_S and result["peak_mb"] < MEMORY_LIMIT_MB and result["message"] != "accepted"
        failed |= not ok
        print(f"| {result['case']} | {result['seconds']} | {result['peak_mb']} | {result['message']} |")
    print(f"\nTargets: under {TIME_LIMIT_S:g} s and {MEMORY_LIMIT_MB} MB each: {'met' if not failed else 'NOT met'}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
