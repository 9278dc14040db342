"""Hostile input costs little: each is refused with a clear message, never a 500 (times and memory are
measured in bench/hostile_input.py, figures in docs/benchmarks.md)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from actions import plan_import
from actions.models import Action
from core.ids import LARGEST_ID, database_id
from findings.services import SIMILARITY_CHARACTERS, text_similarity
from findings.forms import MAX_POINT_CHARACTERS, PointForm
from inspections.importing.extract import html_to_text
from inspections.models import ImportDraft
from tests.actions.list_fixtures import council  # noqa: F401
from tests.hostile_files import malformed_xlsx, wide_row_xlsx
from tests.inspections.import_support import private_storage  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_pasted_page_of_unclosed_script_tags_is_refused_with_a_message(client, demo, private_storage):
    client.force_login(demo["admin"])
    response = client.post(reverse("inspections:import_start"), {"text": "<html>" + "<script" * 100_000})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert "a web page with no readable text" in response.content.decode()
    assert ImportDraft.objects.count() == 0


@pytest.mark.parametrize(
    "html",
    ["<script" * 1000, "<a" * 1000, "<" * 1000, "<!--" * 1000, "<li" * 1000, " " * 1000 + "\n" * 1000],
)
def test_html_to_text_drops_what_an_unclosed_tag_hides(html):
    assert "<script" not in html_to_text(html) and "<!--" not in html_to_text(html)


def test_html_to_text_keeps_the_letter():
    html = (
        "<!DOCTYPE html><html><head><style>p{}</style></head><body><nav>Menu</nav><h1>Title</h1>"
        "<ul><li>One &amp; two</li></ul><!-- note --><script>alert(1)</script><p>After</p></body></html>"
    )
    assert html_to_text(html).split() == ["Title", "•", "One", "&", "two", "After"]


def test_a_point_over_the_limit_is_refused_by_the_preview_form():
    form = PointForm(data={"text": "x " * 750_000, "kind": "improvement"}, themes=[], earlier=[])
    assert not form.is_valid()
    assert form.errors["text"] == [
        f"A point must be at most {MAX_POINT_CHARACTERS:,} characters: split a longer one into several."
    ]


def test_repeat_similarity_compares_only_the_start_of_each_point():
    long_point = "Managers do not oversee plans for children in need. " * 30_000
    earlier = "Management oversight of plans for children in need is weak."
    assert text_similarity(long_point, earlier) == text_similarity(long_point[:SIMILARITY_CHARACTERS], earlier)


def test_a_row_of_millions_of_cells_is_refused_after_the_first_few_hundred(client, council):
    data = wide_row_xlsx(2_500_000)
    assert len(data) < 100_000
    with pytest.raises(plan_import.SpreadsheetError, match="more than 500 cells"):
        plan_import.read_sheet(data, plan_import.sniff(data))
    client.force_login(council["people"]["lead"])
    response = client.post(
        reverse("actions:plan_import"),
        {"inspection": council["inspection"].pk, "file": _named(data, "plan.xlsx")},
    )
    assert response.status_code == 200
    assert "Row 3 of the spreadsheet has more than 500 cells" in response.content.decode()


def test_a_malformed_cell_is_a_message_not_a_500(client, council):
    client.force_login(council["people"]["lead"])
    response = client.post(
        reverse("actions:plan_import"),
        {"inspection": council["inspection"].pk, "file": _named(malformed_xlsx(), "plan.xlsx")},
    )
    assert response.status_code == 200
    assert "Row 2 of the spreadsheet has a cell that could not be read" in response.content.decode()


class _Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, demo, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(demo["lead"])
    action = Action.objects.filter(finding__inspection__authority__name="Barnsley").first()
    response = client.generic(
        "POST",
        reverse("actions:action_update", args=[action.pk]),
        content_type="multipart/form-data; boundary=xyz",
        **{"CONTENT_LENGTH": str(60 * 1024 * 1024), "wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "Files must be smaller than 1 MB" in response.content.decode()


@pytest.mark.parametrize("name", ["authority", "inspection", "finding", "theme", "owner"])
def test_ids_too_large_for_the_database_are_not_a_choice(client, council, name):
    client.force_login(council["people"]["lead"])
    for value in ("9" * 30, str(LARGEST_ID + 1), "-1"):
        response = client.get(reverse("actions:action_list"), {name: value})
        assert response.status_code == 200
        response = client.get(reverse("actions:action_list"), {name: value, "format": "csv"})
        assert response.status_code == 200


def test_database_id_bounds():
    assert database_id("12") == 12 and database_id(LARGEST_ID) == LARGEST_ID
    assert database_id(str(LARGEST_ID + 1)) is None and database_id("0") is None and database_id("x") is None


def _named(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
