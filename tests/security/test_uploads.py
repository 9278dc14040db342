"""Uploads: size limit, kind from content (not the name), random private names through the storage API,
downloads only as attachments from authorised views, bounded PDF parsing, S3 by settings alone."""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import zipfile
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from core.uploads import check_upload, random_name, safe_download_name, serve_private_file, sniff, store_upload

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path / "private")


def test_the_kind_comes_from_the_bytes_not_the_name():
    assert sniff(upload("letter.docx", PDF)) == "pdf"
    assert sniff(upload("photo.pdf", PNG)) == "png"
    assert sniff(upload("notes.pdf", docx_bytes())) == "docx"
    assert sniff(upload("letter.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")) is None  # a Windows program
    assert sniff(upload("letter.pdf", b"<html><script>alert(1)</script></html>")) == "text"


def test_a_file_whose_content_is_not_allowed_is_refused_whatever_its_name():
    assert check_upload(upload("renamed.txt", PDF), allowed={"pdf"}).content_type == "application/pdf"
    with pytest.raises(ValidationError, match="must be a PDF; its content is not"):
        check_upload(upload("letter.pdf", b"<html>not a pdf</html>"), allowed={"pdf"})
    with pytest.raises(ValidationError, match="must be a PDF or a PNG image"):
        check_upload(upload("letter.pdf", b"MZ\x90\x00" + b"\x01" * 100), allowed={"pdf", "png"})
    zip_of_anything = io.BytesIO()
    with zipfile.ZipFile(zip_of_anything, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    with pytest.raises(ValidationError):
        check_upload(upload("report.docx", zip_of_anything.getvalue()), allowed={"docx"})


def test_size_limits(settings):
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError, match="smaller than"):
        check_upload(upload("big.pdf", PDF + b"0" * 1024), allowed={"pdf"})
    with pytest.raises(ValidationError, match="empty"):
        check_upload(upload("empty.pdf", b""), allowed={"pdf"})
    assert check_upload(upload("small.pdf", PDF), allowed={"pdf"}, max_bytes=len(PDF)).name == "pdf"


def test_files_are_stored_under_random_names_through_the_storage_api(storage):
    first = store_upload(upload("../../etc/passwd Barnsley audit.pdf", PDF), folder="evidence", storage=storage)
    second = store_upload(upload("../../etc/passwd Barnsley audit.pdf", PDF), folder="evidence", storage=storage)
    assert first != second
    for name in (first, second):
        assert name.startswith("evidence/") and len(name.rsplit("/", 1)[1]) == 32
        assert "Barnsley" not in name and ".." not in name and "passwd" not in name
        assert storage.open(name).read() == PDF


def test_unsafe_folders_and_the_static_root_are_refused(tmp_path, settings):
    with pytest.raises(ValueError):
        random_name("../static")
    settings.STATIC_ROOT = str(tmp_path / "static")
    with pytest.raises(ValueError, match="static root"):
        store_upload(upload("a.pdf", PDF), folder="evidence", storage=FileSystemStorage(location=tmp_path / "static" / "media"))


def test_the_private_root_is_outside_the_static_root_and_the_static_dirs():
    private = os.path.realpath(settings.PRIVATE_MEDIA_ROOT)
    for public in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not private.startswith(os.path.realpath(public))
    assert not settings.STATIC_URL.startswith("/private")
    assert not getattr(settings, "MEDIA_URL", "") or settings.MEDIA_URL == "/"  # no public URL serves uploads


def test_serving_is_always_a_sandboxed_attachment(storage):
    name = store_upload(upload("x.html", b"<html><script>alert(1)</script></html>"), folder="evidence", storage=storage)
    request = RequestFactory().get("/")
    response = serve_private_file(request, name, 'evil"; filename=x.html\r\n.html', storage=storage)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "\r" not in disposition and "\n" not in disposition and '";' not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"<html>")
    assert safe_download_name("C:\\Users\\me\\Barnsley plan.pdf") == "Barnsley plan.pdf"


def test_a_missing_file_is_a_404_not_a_stack_trace(storage):
    from django.http import Http404

    with pytest.raises(Http404):
        serve_private_file(RequestFactory().get("/"), "evidence/missing", "a.pdf", storage=storage)


@pytest.mark.django_db
def test_evidence_is_downloaded_only_by_its_council_as_an_attachment(client, demo, settings, tmp_path):
    from actions.models import Action
    from actions.services import action_change

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    action = Action.objects.filter(finding__inspection__authority__name="Barnsley").first()
    result = action_change(action=action, user=demo["lead"], expected_version=action.version, changes={},
                           evidence_files=[upload("audit <1>.pdf", PDF)])
    evidence = result.update.evidence_items.get()
    assert "audit" not in evidence.file.name
    client.force_login(demo["barnet-lead"])
    assert client.get(evidence.get_absolute_url()).status_code == 404
    client.force_login(demo["viewer"])
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


# --- PDF parsing is bounded -----------------------------------------------------------------------------


def decompression_bomb_pdf(megabytes: int) -> bytes:
    """A one-page PDF whose content stream inflates from a few hundred KB to `megabytes` MB."""
    compressor = zlib.compressobj(9)
    chunk = b"0 0 m " * (1024 * 1024 // 6)
    stream = b"".join(compressor.compress(chunk) for _ in range(megabytes)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_decompression_bomb_pdf_is_refused_without_touching_the_servers_memory():
    from inspections.importing.extract import ImportRejected, extract_text_from_pdf

    bomb = decompression_bomb_pdf(1500)  # 1.5 GB when inflated, a few MB on the wire
    assert len(bomb) < 5 * 1024 * 1024
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportRejected) as refused:
        extract_text_from_pdf(bomb)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert refused.value.message  # one sentence for the user
    # The inflating happened (and was stopped) in the child process: this process's peak barely moved.
    assert (peak_after - peak_before) < 200 * 1024, f"peak grew by {(peak_after - peak_before) // 1024} MB"


def test_a_pdf_that_reads_too_slowly_is_stopped():
    from inspections.importing.extract import ImportRejected, extract_text_from_pdf

    with pytest.raises(ImportRejected, match="took too long"):
        extract_text_from_pdf(decompression_bomb_pdf(300), timeout_seconds=0.01)


# --- S3-compatible storage by settings alone -------------------------------------------------------------

S3_PROBE = """
import json, django
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({"class": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": default_storage.bucket_name, "endpoint": default_storage.endpoint_url,
    "acl": default_storage.default_acl, "overwrite": default_storage.file_overwrite,
    "prefix": default_storage.location}))
"""


def test_s3_compatible_storage_is_chosen_by_environment_alone():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FILE_STORAGE_BACKEND": "storages.backends.s3.S3Storage",
        "S3_BUCKET": "tracker-uploads", "S3_ENDPOINT_URL": "https://minio.internal:9000",
        "S3_ACCESS_KEY_ID": "test", "S3_SECRET_ACCESS_KEY": "test",
    })
    result = subprocess.run([sys.executable, "-c", S3_PROBE], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {"class": "storages.backends.s3.S3Storage", "bucket": "tracker-uploads",
                     "endpoint": "https://minio.internal:9000", "acl": "private", "overwrite": False,
                     "prefix": "private"}
