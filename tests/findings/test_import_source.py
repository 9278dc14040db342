"""The import preview's source beside the points (issue 14, item 6): the extracted text, each point's lines
marked with its number."""

from __future__ import annotations

from findings.selectors import source_lines

TEXT = """What needs to improve in this area of social work practice?
The quality of supervision and management oversight so that
plans progress without delay. (enabler 2, national framework)
The timeliness of responses to requests for help from
families.
Next section"""


def test_each_points_lines_are_marked_with_its_number():
    lines = source_lines(TEXT, [
        "The quality of supervision and management oversight so that plans progress without delay.",
        "The timeliness of responses to requests for help from families.",
        "A point typed by hand that is not in the document at all.",
        "",
    ])
    assert [line.points for line in lines] == [(), (1,), (1,), (2,), (2,), ()]
    assert lines[0].number == 1 and lines[1].text.startswith("The quality")


def test_no_text_means_no_lines():
    assert source_lines("", ["Anything at all that is long enough"]) == []


import re  # noqa: E402

import pytest  # noqa: E402

from tests.inspections.import_support import private_storage  # noqa: E402,F401
from tests.inspections.test_import_framework_views import SUFFOLK_PDF, suffolk_admin  # noqa: E402,F401
from tests.inspections.test_import_views import upload  # noqa: E402


@pytest.mark.django_db
def test_the_preview_shows_the_document_beside_the_points_with_each_points_lines_marked(
    client, suffolk_admin, private_storage  # noqa: F811
):
    client.force_login(suffolk_admin)
    url = upload(client, SUFFOLK_PDF)["Location"]
    html = client.get(url).content.decode()
    region = re.search(r'<div class="app-source" role="region" aria-labelledby="source-heading"[^>]*>(.*?)</ol>', html, re.S)
    assert region, "no source region"
    marked = re.findall(r'app-source__line--point"><span class="app-source__mark">(.*?)</span> ', region.group(1))
    numbers = {re.sub(r"<[^>]+>|Point ", "", mark) for mark in marked}
    assert {"1", "2", "3", "4"} <= numbers  # every point of the letter is found in its text
