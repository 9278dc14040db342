"""One way in and one way out for every uploaded file (import letters, evidence, spreadsheets).

    kind = check_upload(upload, allowed={"pdf", "docx"})        # size limit + what the bytes really are
    name = store_upload(upload, folder="evidence")               # random name, through Django's storage API
    return serve_private_file(request, name, "audit.pdf")        # from an authorised view only

Files go through `django.core.files.storage.default_storage`, so STORAGES["default"] alone decides where they
live: a private directory outside the static root on one server, or S3-compatible object storage (see
docs/operations.md) when several app servers share the load. App servers keep no files of their own.
"""

from __future__ import annotations

import mimetypes
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.template.defaultfilters import filesizeformat


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    description: str


KINDS = {
    kind.name: kind
    for kind in [
        FileKind("pdf", "application/pdf", "a PDF"),
        FileKind("png", "image/png", "a PNG image"),
        FileKind("jpeg", "image/jpeg", "a JPEG image"),
        FileKind("gif", "image/gif", "a GIF image"),
        FileKind("webp", "image/webp", "a WebP image"),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a Word document"),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "an Excel spreadsheet"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet"),
        FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "a PowerPoint file"),
        FileKind("doc", "application/msword", "an older Word document"),
        FileKind("xls", "application/vnd.ms-excel", "an older Excel spreadsheet"),
        FileKind("ppt", "application/vnd.ms-powerpoint", "an older PowerPoint file"),
        FileKind("text", "text/plain", "a text file"),
    ]
}
_OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
# Older Office files share one container format (OLE2), so its extension says which one it is.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE2_KINDS = {"doc": "doc", "xls": "xls", "ppt": "ppt"}


def sniff(upload) -> str | None:
    """What the file's bytes show it to be (a KINDS key), whatever its name says; None when unknown."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
                mimetype = archive.open("mimetype").read(100).strip() if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
            return None
        finally:
            upload.seek(0)
        if "mimetype" in names:  # OpenDocument: its first entry names what it is
            if mimetype == KINDS["ods"].content_type.encode():
                return "ods"
            return None
        if "[Content_Types].xml" in names:
            for prefix, kind in _OOXML_PARTS.items():
                if any(name.startswith(prefix) for name in names):
                    return kind
        return None
    if head.startswith(_OLE2_MAGIC):
        extension = PurePosixPath(getattr(upload, "name", "") or "").suffix.lower().lstrip(".")
        return _OLE2_KINDS.get(extension)
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut by the 8 KB sample is still text
                return None
        return "text"
    return None


# The extensions a file of each kind may carry; any other is renamed (download_name_for).
EXTENSIONS = {
    "pdf": (".pdf",), "png": (".png",), "jpeg": (".jpg", ".jpeg"), "gif": (".gif",), "webp": (".webp",),
    "docx": (".docx",), "xlsx": (".xlsx",), "pptx": (".pptx",), "ods": (".ods",), "doc": (".doc",), "xls": (".xls",),
    "ppt": (".ppt",), "text": (".txt", ".csv", ".tsv", ".md", ".log"),
}  # fmt: skip


def download_name_for(filename: str, content_type: str) -> str:
    """The name a file is offered under, its extension matching what its bytes are: a page saved as
    "notes.html" or a drawing as "logo.svg" but stored as text comes back as "notes.html.txt", so no
    browser or desktop opens it as a web page."""
    kind = next((k for k in KINDS.values() if k.content_type == content_type.split(";")[0].strip()), None)
    if content_type.startswith("text/csv"):
        kind = KINDS["text"]
    if kind is None:
        return filename
    if PurePosixPath(filename).suffix.lower() in EXTENSIONS[kind.name]:
        return filename
    return f"{filename}{EXTENSIONS[kind.name][0]}"


def size_display(limit: int) -> str:
    """A size limit as people read it: "10 MB" for whole megabytes, "48.8 KB" otherwise."""
    megabytes = limit / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 and megabytes == int(megabytes) else filesizeformat(limit)


def max_upload_bytes() -> int:
    """The one size limit of every upload (letters, evidence, plan spreadsheets): settings.MAX_UPLOAD_BYTES."""
    return int(settings.MAX_UPLOAD_BYTES)


def _describe(allowed: set[str]) -> str:
    descriptions = [KINDS[name].description for name in sorted(allowed)]
    return descriptions[0] if len(descriptions) == 1 else ", ".join(descriptions[:-1]) + " or " + descriptions[-1]


def check_upload(
    upload, *, allowed: set[str], max_bytes: int | None = None, description: str | None = None
) -> FileKind:
    """The upload's real kind, or a ValidationError with one sentence for the user. Reads only its head."""
    unknown = set(allowed) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown file kinds: {sorted(unknown)}")
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if not upload.size:
        raise ValidationError("The selected file is empty.", code="empty")
    if upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {size_display(limit)}.", code="too_large")
    kind = sniff(upload)
    if kind not in allowed:
        what_it_is = f" (it is {KINDS[kind].description})" if kind else ""
        raise ValidationError(
            f"The selected file must be {description or _describe(set(allowed))}; its content is not{what_it_is}.",
            code="wrong_type",
        )
    return KINDS[kind]


def random_name(folder: str) -> str:
    """A storage name that says nothing about the file and cannot be guessed or made to traverse."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9/_-]*", folder) or ".." in folder:
        raise ValueError(f"Not a safe folder name: {folder!r}")
    return f"{folder.strip('/')}/{secrets.token_hex(16)}"


def store_upload(upload, *, folder: str, storage: Storage | None = None) -> str:
    """Save through the storage API under a random name; returns the stored name to keep on the model."""
    storage = storage or default_storage
    location = getattr(storage, "location", None)
    if location and settings.STATIC_ROOT and PurePosixPath(str(location)).is_relative_to(str(settings.STATIC_ROOT)):
        raise ValueError("Private uploads must not be stored under the static root.")
    upload.seek(0)
    return storage.save(random_name(folder), upload)


def safe_download_name(filename: str, default: str = "download") -> str:
    """The uploader's file name made harmless for a Content-Disposition header."""
    name = unicodedata.normalize("NFKC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]", "", name).strip(" .")
    return name[:150] or default


def serve_private_file(
    request: HttpRequest, stored_file, filename: str, *, content_type: str | None = None,
    storage: Storage | None = None,
) -> FileResponse:
    """Stream a private file as a download. Call only after the view has checked the user may see it.

    `stored_file` is a FieldFile or a stored name. Always an attachment (never rendered inline, so an
    uploaded HTML or SVG file cannot run in our origin), with nosniff, no caching by shared caches, and a
    sandboxing Content-Security-Policy.
    """
    storage = storage or getattr(stored_file, "storage", None) or default_storage
    name = getattr(stored_file, "name", stored_file)
    if not name:
        raise Http404("No file")
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("The file is no longer available.") from exc
    download_name = safe_download_name(filename)
    if content_type:
        download_name = download_name_for(download_name, content_type)
    guessed = content_type or mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=guessed)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
