"""Uploads: PDF or text decided by content, normalisation, and every kind of bad file."""
from __future__ import annotations

import time

import pytest

from inspections.importing import (
    ImportRejected,
    NotAnOfstedPublication,
    extract_text_from_pdf,
    import_upload,
    normalise_text,
    parse_publication,
    text_from_upload,
)

from .conftest import CORPUS


def _rejected(data: bytes, name: str) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        import_upload(data, name)
    message = info.value.message
    assert message and message[0].isupper() and message.rstrip().endswith("."), message
    assert "\n" not in message and "Traceback" not in message
    return info.value


def test_empty_file(bad_files):
    assert "empty" in _rejected(bad_files["empty.pdf"], "empty.pdf").message.lower()
    assert "empty" in _rejected(bad_files["whitespace.txt"], "empty.txt").message.lower()


def test_png_renamed_pdf(bad_files):
    message = _rejected(bad_files["png-renamed.pdf"], "letter.pdf").message
    assert "PNG" in message and "not a PDF" in message


def test_zip_renamed_pdf(bad_files):
    assert "ZIP" in _rejected(bad_files["zip-renamed.pdf"], "letter.pdf").message


def test_binary_junk(bad_files):
    assert "neither a PDF nor a text" in _rejected(bad_files["binary-junk.pdf"], "x.pdf").message


@pytest.mark.parametrize("name", ["truncated.pdf", "corrupt-body.pdf"])
def test_damaged_pdf(bad_files, name):
    assert "damaged" in _rejected(bad_files[name], name).message


def test_encrypted_pdf(bad_files):
    assert "password" in _rejected(bad_files["encrypted.pdf"], "letter.pdf").message


def test_owner_password_only_pdf_is_read(pdf_builder, bad_files):
    """Permissions-only encryption (empty user password) is common and must not block an import."""
    data = pdf_builder.encrypted_pdf(bad_files["good-letter.pdf"], user_password="")
    assert import_upload(data, "letter.pdf").local_authority == "Kent"


def test_scanned_pdf(bad_files):
    message = _rejected(bad_files["scanned.pdf"], "scan.pdf").message
    assert "scanned" in message and "text layer" in message


@pytest.mark.parametrize("name", ["not-ofsted.pdf", "not-ofsted.txt"])
def test_valid_file_that_is_not_an_ofsted_publication(bad_files, name):
    error = _rejected(bad_files[name], name)
    assert isinstance(error, NotAnOfstedPublication)
    assert "Ofsted" in error.message


def test_committed_bad_files_match_the_builder(bad_files):
    for name, data in bad_files.items():
        path = CORPUS / "bad" / name
        assert path.exists(), f"run tests/importing/corpus/bad/make_bad_files.py ({name} missing)"
        if name != "encrypted.pdf":  # encryption salts differ from run to run
            assert path.read_bytes() == data, name


def test_good_letter_pdf_made_by_hand(bad_files):
    result = import_upload(bad_files["good-letter.pdf"], "whatever.bin").to_contract()
    assert result["local_authority"] == "Kent"
    assert result["kind"] == "focused_visit"
    assert result["visit_start"] == "2024-02-06" and result["visit_end"] == "2024-02-07"
    assert result["published_on"] == "2024-03-12"
    assert result["inspectors"] == ["Alex Example", "Sam Sample"]
    assert result["improvements"] == [
        "The timeliness of pathway plans for care leavers who are parents.",
        "The quality of support for care leavers' emotional health and well-being.",
    ]
    assert result["focus_area"] == "care_leavers"


def test_pdf_decided_by_content_not_extension(bad_files):
    pdf = bad_files["good-letter.pdf"]
    assert text_from_upload(pdf, "letter.txt") == text_from_upload(pdf, "letter.pdf")
    text = text_from_upload(pdf, "")
    assert text_from_upload(text.encode("utf-8"), "letter.pdf") == text


def test_text_decoding_utf8_bom_and_cp1252():
    letter = "Focused visit to Kent children’s services\nThis letter summarises – café"
    assert text_from_upload(b"\xef\xbb\xbf" + letter.encode("utf-8"), "a.txt") == letter
    assert text_from_upload(letter.encode("cp1252"), "a.txt") == letter
    assert text_from_upload(letter.encode("utf-16"), "a.txt") == letter
    assert text_from_upload(letter.replace("\n", "\r\n").encode("utf-8"), "a.txt") == letter


def test_normalisation():
    raw = "\ufb01ndings \ufb02ow e\ufb00ort\u00a0here \u202fx co\u00adordinate\n\uf06e Point one\n \uf0b7 Point two\n◼ Three"
    text = normalise_text(raw)
    assert "findings flow effort here" in text
    assert "coordinate" in text
    assert "\u00a0" not in text and "\u202f" not in text
    assert "• Point one" in text and "• Point two" in text and "• Three" in text
    assert normalise_text(text) == text


def test_timeout_stops_a_slow_extraction():
    pdf = max((CORPUS / "inspections").glob("*.pdf"), key=lambda p: p.stat().st_size).read_bytes()
    started = time.monotonic()
    with pytest.raises(ImportRejected) as info:
        extract_text_from_pdf(pdf, timeout_seconds=0.01)
    assert "too long" in info.value.message
    assert time.monotonic() - started < 5


def _decompression_bomb(pdf_builder) -> bytes:
    """A one-page PDF whose content stream inflates from ~150 KB to 150 MB."""
    import zlib

    stream = zlib.compress(b"BT /F1 10 Tf 50 800 Td (Hello) Tj ET\n" + b" " * 150_000_000, 9)
    return pdf_builder._pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def test_decompression_bomb_is_rejected(pdf_builder):
    started = time.monotonic()
    with pytest.raises(ImportRejected) as info:
        text_from_upload(_decompression_bomb(pdf_builder), "bomb.pdf")
    assert "too complex" in info.value.message
    assert time.monotonic() - started < 20


def test_memory_limit_is_enforced_in_the_child(pdf_builder):
    with pytest.raises(ImportRejected) as info:
        extract_text_from_pdf(_decompression_bomb(pdf_builder), memory_limit_bytes=200 * 1024 * 1024)
    assert "too complex" in info.value.message


def test_max_pages_limits_the_work():
    pdf = (CORPUS / "inspections" / "kent-2022-07-05.pdf").read_bytes()
    assert len(extract_text_from_pdf(pdf, max_pages=1)) < len(extract_text_from_pdf(pdf)) / 4


def test_longest_corpus_pdf_imports_in_under_a_second():
    from pypdf import PdfReader

    pdfs = sorted(CORPUS.glob("inspections/*.pdf")) + sorted(CORPUS.glob("focused-visits/*.pdf"))
    longest = max(pdfs, key=lambda p: (len(PdfReader(str(p)).pages), p.stat().st_size))
    data = longest.read_bytes()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        parse_publication(text_from_upload(data, longest.name))
        timings.append(time.perf_counter() - started)
    # The target is 1 s on an idle 2-core machine; other processes sharing the
    # CPUs (a busy CI runner) stretch wall-clock time, so scale by the load.
    import os

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    budget = 1.0 * max(1.0, load / (os.cpu_count() or 1))
    assert sorted(timings)[1] < budget, (longest.name, timings, load)


def test_page_breaks_and_furniture_are_removed():
    text = text_from_upload((CORPUS / "focused-visits" / "staffordshire-2022-07-04.pdf").read_bytes(), "x.pdf")
    parsed = parse_publication(text)
    for point in parsed.improvements:
        assert "8524" not in point and "ofsted.gov.uk" not in point


def test_saved_web_page_is_read_as_text():
    html = (
        "<!DOCTYPE html><html><head><style>p{}</style></head><body>"
        "<p>1 March 2023</p><h1>Focused visit to Barnsley children&rsquo;s services</h1>"
        "<p>This letter summarises the findings of the focused visit to Barnsley children&rsquo;s services on "
        "25 and 26 January 2023. His Majesty&rsquo;s Inspectors for this visit were Claire Beckingham and "
        "Anna Gravelle.</p><h2>What needs to improve in this area of social work practice?</h2>"
        "<ul><li>Workload capacity.</li><li>The integrity of performance data.</li></ul>"
        "<h2>Main findings</h2><p>Most care leavers are well supported.</p></body></html>"
    )
    parsed = import_upload(html.encode("utf-8"), "letter.html")
    assert parsed.local_authority == "Barnsley"
    assert parsed.published_on.isoformat() == "2023-03-01"
    assert parsed.improvements == ["Workload capacity.", "The integrity of performance data."]
