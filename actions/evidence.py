"""Evidence files: which kinds may be kept, checked through the project's one upload gate (core.uploads)."""

from __future__ import annotations

from core.uploads import check_upload

ACCEPTED_DESCRIPTION = "a PDF, an image (PNG, JPEG, GIF, WebP), a Word, Excel or PowerPoint file, or a text file"
EVIDENCE_KINDS = {"pdf", "png", "jpeg", "gif", "webp", "docx", "xlsx", "pptx", "doc", "xls", "ppt", "text"}


def evidence_file_check(upload) -> str:
    """The file's real content type (from its bytes, not its name), or a ValidationError saying what is wrong."""
    kind = check_upload(upload, allowed=EVIDENCE_KINDS, description=ACCEPTED_DESCRIPTION)
    if kind.name == "text" and upload.name.lower().endswith(".csv"):
        return "text/csv"
    return kind.content_type
