"""Evidence files: what a file really is (from its first bytes, not its name), and whether it may be kept."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

OFFICE_OPEN_XML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
LEGACY_OFFICE = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
TEXT_TYPES = {"csv": "text/csv"}
ACCEPTED_DESCRIPTION = "a PDF, an image (PNG, JPEG, GIF, WebP), a Word, Excel or PowerPoint file, or a text file"


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", settings.MAX_UPLOAD_BYTES))


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff_content_type(upload) -> str | None:
    """The MIME type the file's content shows it to be, among the kinds we accept; None otherwise."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, mime in OFFICE_OPEN_XML.items():
                if any(name.startswith(prefix) for name in names):
                    return mime
        return None
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return LEGACY_OFFICE.get(_extension(upload.name))
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still text.
            if exc.start < len(head) - 4:
                return None
        return TEXT_TYPES.get(_extension(upload.name), "text/plain")
    return None


def evidence_file_check(upload) -> str:
    """The file's real content type, or a ValidationError saying what is wrong with it."""
    limit = max_evidence_bytes()
    if upload.size == 0:
        raise ValidationError("The selected file is empty.")
    if upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {limit // (1024 * 1024)} MB.")
    content_type = sniff_content_type(upload)
    if content_type is None:
        raise ValidationError(f"The selected file must be {ACCEPTED_DESCRIPTION}.")
    return content_type
