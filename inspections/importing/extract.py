"""Turn an uploaded file (PDF or text) into normalised plain text.

PDF text extraction runs in a forked child process with a wall-clock timeout
and an address-space limit, so a hostile PDF cannot hang or exhaust the
server. Everything that makes an upload unusable is reported by raising
:class:`ImportRejected` with a one-sentence message fit to show the user.
No Django imports here.
"""
from __future__ import annotations

import io
import logging
import multiprocessing
import os
import re
import time
import unicodedata

try:  # imported here so that forked children inherit it ready to use
    import pypdfium2 as pdfium
except ImportError:  # pragma: no cover - then pypdf reads the PDFs (slower, same accuracy on the corpus)
    pdfium = None  # type: ignore[assignment]

try:
    from pypdf import PdfReader
except ImportError:  # pragma: no cover
    PdfReader = None  # type: ignore[assignment]

try:  # POSIX only; on other platforms extraction runs without a memory cap.
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

__all__ = [
    "ImportRejected",
    "extract_text_from_pdf",
    "text_from_upload",
    "normalise_text",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_SECONDS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MEMORY_LIMIT_BYTES",
]

DEFAULT_MAX_PAGES = 80
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024

BULLET = "•"


class ImportRejected(Exception):
    """The upload cannot be imported; ``message`` is one user-facing sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Bullet glyphs seen in Word-made PDFs and pasted text (not "-" or "*", which
# the parser handles itself because they are also ordinary characters).
_BULLET_GLYPHS = "•◼▪■●◦○‣∙⁃➢➤►▶✓✔❖◆◇□▫"

_TRANSLATE = {ord(k): v for k, v in _LIGATURES.items()}
_TRANSLATE.update({ord(c): " " for c in _SPACES})
_TRANSLATE.update({ord(c): None for c in _INVISIBLE})
# C0/C1 control characters other than tab, newline and form feed.
_TRANSLATE.update({c: None for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0C)})
_TRANSLATE.update({c: None for c in range(0x7F, 0xA0)})

_PUA_RE = re.compile("[\ue000-\uf8ff]")
_LEADING_BULLET_RE = re.compile(
    r"^([ \t\f]*)(?:[\ue000-\uf8ff" + re.escape(_BULLET_GLYPHS) + r"][ \t]*)+", re.M
)


def normalise_text(text: str) -> str:
    """Normalise extracted or pasted text (idempotent).

    Expands ligatures, turns exotic spaces into spaces, drops soft hyphens and
    zero-width characters, unifies line endings and turns private-use bullet
    glyphs (U+F06E, U+F0B7, ...) and other bullet glyphs at the start of a
    line into "• ".
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_TRANSLATE)
    text = _LEADING_BULLET_RE.sub(lambda m: m.group(1) + BULLET + " ", text)
    text = _PUA_RE.sub("", text)
    # Trailing spaces are noise from PDF extraction.
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text


# --------------------------------------------------------------------------
# PDF extraction in a child process
# --------------------------------------------------------------------------


def _memory_grown(baseline_kib: int, memory_limit: int | None) -> bool:
    """Whether this child's peak memory grew by more than a quarter of its limit: a decompression bomb
    (PDFium, unlike pypdf, has no guard of its own and would inflate it whole)."""
    if resource is None or not memory_limit:
        return False
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak_kib - baseline_kib) * 1024 > memory_limit // 4


def _child_extract_pdfium(conn, data: bytes, max_pages: int, memory_limit: int | None, worker: int, workers: int) -> None:
    """PDFium (pypdfium2) reads the text layer about five times faster than pypdf, with the same result on the
    corpus. A hyphen PDFium recognises at a line end comes back as U+0002 with the line break removed: it
    becomes a hyphen and a line break again, so that the parser decides as for the other extractors."""
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if resource is not None else 0
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        conn.send(("encrypted", "") if "password" in str(exc).lower() else ("corrupt", type(exc).__name__))
        return
    try:
        page_count = len(document)
        if page_count == 0:
            conn.send(("corrupt", "no pages"))
            return
        texts: dict[int, str] = {}
        failures = 0
        for index in range(worker, min(page_count, max_pages), workers):
            try:
                page = document[index]
                textpage = page.get_textpage()
                texts[index] = textpage.get_text_bounded().replace("\x02", "-\n")
                textpage.close()
                page.close()
            except pdfium.PdfiumError:
                failures += 1
                texts[index] = ""
            if _memory_grown(baseline, memory_limit):
                raise MemoryError
        conn.send(("ok", texts, page_count, failures))
    finally:
        document.close()


def _child_extract(conn, data: bytes, max_pages: int, memory_limit: int | None, worker: int = 0, workers: int = 1) -> None:
    """Runs in a forked child: extract the text of pages ``worker``,
    ``worker + workers``, ... and report ``("ok", {index: text}, page_count)``
    or a failure status."""
    try:
        if resource is not None and memory_limit:
            try:
                resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
            except (ValueError, OSError):
                pass
        if pdfium is not None:
            import faulthandler

            faulthandler.disable()  # an abort under the memory cap is an expected outcome, not a crash to report
            _child_extract_pdfium(conn, data, max_pages, memory_limit, worker, workers)
            return
        # (no logging.disable(): it takes logging's module lock, which another
        # thread of the parent may have held at fork time)
        logging.getLogger("pypdf").disabled = True
        import warnings

        warnings.simplefilter("ignore")
        if PdfReader is None:
            conn.send(("corrupt", "pypdf is not installed"))
            return
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
        except Exception as exc:  # malformed beyond repair
            conn.send(("corrupt", type(exc).__name__))
            return
        if reader.is_encrypted:
            opened = False
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                conn.send(("encrypted", ""))
                return
        try:
            pages = reader.pages
            page_count = len(pages)
        except Exception as exc:
            conn.send(("corrupt", type(exc).__name__))
            return
        if page_count == 0:
            conn.send(("corrupt", "no pages"))
            return
        texts: dict[int, str] = {}
        failures = 0
        for index in range(worker, min(page_count, max_pages), workers):
            try:
                texts[index] = pages[index].extract_text() or ""
            except MemoryError:
                raise
            except Exception as exc:
                if type(exc).__name__ == "LimitReachedError":  # pypdf's decompression-bomb guard
                    raise MemoryError from exc
                failures += 1
                texts[index] = ""
        conn.send(("ok", texts, page_count, failures))
    except MemoryError:
        try:
            conn.send(("memory", ""))
        except Exception:
            pass
    except Exception as exc:  # anything else: report as unreadable
        try:
            conn.send(("corrupt", type(exc).__name__))
        except Exception:
            pass
    finally:
        try:
            conn.close()
        except Exception:
            pass


def _run_in_child(data: bytes, max_pages: int, timeout_seconds: float, memory_limit: int | None, workers: int = 1):
    """Extract in ``workers`` forked children (pages shared out between them)
    under one wall-clock deadline; return the merged message."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods:  # pragma: no cover - non-POSIX fallback, no isolation
        class _Conn:
            def __init__(self):
                self.msg = None

            def send(self, msg):
                self.msg = msg

            def close(self):
                pass

        conn = _Conn()
        _child_extract(conn, data, max_pages, None)
        return conn.msg
    ctx = multiprocessing.get_context("fork")
    deadline = time.monotonic() + timeout_seconds
    children = []
    try:
        for worker in range(workers):
            receiver, sender = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=_child_extract,
                args=(sender, data, max_pages, memory_limit, worker, workers),
                daemon=True,
            )
            process.start()
            sender.close()
            children.append((process, receiver))
        messages = []
        for process, receiver in children:
            remaining = max(0.0, deadline - time.monotonic())
            if receiver.poll(remaining):
                try:
                    messages.append(receiver.recv())
                except (EOFError, OSError):
                    process.join(1)
                    # PDFium aborts when the memory cap refuses it an allocation: a PDF too complex to read
                    killed_by_signal = process.exitcode is not None and process.exitcode < 0
                    messages.append(("memory", "") if killed_by_signal and pdfium is not None else ("died", ""))
            else:
                return ("timeout", "")
    finally:
        for process, receiver in children:
            receiver.close()
            if process.is_alive():
                process.kill()
        for process, _ in children:
            process.join(5)
    for status in ("encrypted", "memory", "corrupt", "died"):
        for message in messages:
            if message and message[0] == status:
                return message
    texts: dict[int, str] = {}
    failures = 0
    page_count = 0
    for message in messages:
        texts.update(message[1])
        page_count = message[2]
        failures += message[3]
    if failures and failures == len(texts):
        return ("corrupt", "no readable page")
    return ("ok", "\f".join(texts[i] for i in sorted(texts)), page_count)


def extract_text_from_pdf(
    data: bytes,
    *,
    max_pages: int = DEFAULT_MAX_PAGES,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    memory_limit_bytes: int | None = DEFAULT_MEMORY_LIMIT_BYTES,
    workers: int | None = None,
) -> str:
    """Extract and normalise the text layer of a PDF.

    Pages are separated by form feeds ("\\f"). Extraction runs in forked
    child processes (by default one per CPU, at most 2 and only for PDFs
    over 64 KiB), each limited to ``memory_limit_bytes`` of address space,
    all killed at ``timeout_seconds``. Raises :class:`ImportRejected` for
    encrypted, damaged, scanned (no text layer) or too slow PDFs.
    """
    if not data:
        raise ImportRejected("The file is empty.")
    if len(data) > DEFAULT_MAX_BYTES:
        raise ImportRejected("The file is too large to import (the limit is 40 MB).")
    if workers is None:
        # PDFium reads the longest report in well under the cost of a second fork; pypdf gains from two
        workers = 1 if pdfium is not None else (min(2, os.cpu_count() or 1) if len(data) > 64 * 1024 else 1)
    message = _run_in_child(bytes(data), max_pages, timeout_seconds, memory_limit_bytes, max(1, int(workers)))
    status = message[0] if message else "died"
    if status == "timeout":
        raise ImportRejected(
            "Reading this PDF took too long, so it was stopped; please check the file or paste its text instead."
        )
    if status == "encrypted":
        raise ImportRejected(
            "This PDF is encrypted or password-protected; please upload an unprotected copy."
        )
    if status == "memory":
        raise ImportRejected("This PDF is too complex to read safely; please paste its text instead.")
    if status != "ok":
        raise ImportRejected("This PDF appears to be damaged or incomplete and could not be read.")
    text = normalise_text(message[1])
    pages_read = max(1, min(message[2], max_pages))
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < 40 * pages_read and letters < 200:
        raise ImportRejected(
            "This PDF has no text layer (it looks scanned); please upload a PDF with a text layer, "
            "for example the original from Ofsted's website."
        )
    return text


# --------------------------------------------------------------------------
# Uploads: PDF or text, decided by content
# --------------------------------------------------------------------------

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", None),  # too short to be sure; checked by the binary heuristic
    (b"PK\x03\x04", "a ZIP archive or Word document"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Word or Excel document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"%!PS", "a PostScript file"),
    (b"RIFF", "a media file"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 0x20 and b not in (0x09, 0x0A, 0x0C, 0x0D))
    return controls > max(2, len(sample) // 100)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


_HTML_START = re.compile(r"^\s*(?:<!doctype\s+html|<html\b|<\?xml[^>]*>\s*<html\b|<body\b|<head\b)", re.I)


# Every pattern below is linear in the input (a pasted page of 700 KB of "<script" held a worker for a
# minute with lazy ".*?" up to a closing tag that never came): tags are bounded, stop at the next "<",
# and a run is matched only from its start.
_HTML_HIDDEN_START = re.compile(r"<!--|<(script|style|head|nav|footer)\b", re.I)
_HTML_LIST_ITEM = re.compile(r"<li\b[^<>]{0,2000}+>", re.I)
_HTML_BREAK = re.compile(r"<br\s*/?>", re.I)
_HTML_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|ul|ol|li|tr|table|section|article|header|blockquote|dd|dt|dl)\b[^<>]{0,2000}+>", re.I
)
_HTML_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_HTML_ANY_TAG = re.compile(r"<[^<>]{0,2000}+>")
_TRAILING_SPACES = re.compile(r"(?<![ \t])[ \t]+$", re.M)
_BLANK_LINES = re.compile(r"(?<!\n)\n\n+[ \t]*+")


def _drop_hidden_parts(html: str) -> str:
    """Scripts, styles, head, nav, footer and comments removed; one left open hides the rest, as in a
    browser. One search per element, each from where the last ended."""
    parts: list[str] = []
    position = 0
    while (start := _HTML_HIDDEN_START.search(html, position)) is not None:
        parts.append(html[position : start.start()])
        if start.group(1) is None:
            close = html.find("-->", start.end())
            position = len(html) if close < 0 else close + 3
        else:
            parts.append("\n")
            closer = re.compile(rf"</{start.group(1)}\s*>", re.I).search(html, start.end())
            position = len(html) if closer is None else closer.end()
    parts.append(html[position:])
    return "".join(parts)


def html_to_text(html: str) -> str:
    """Crude HTML-to-text for a saved web page: block elements become lines,
    list items become "• " bullets, tags are dropped, entities decoded. Linear in the input."""
    import html as html_module

    text = _drop_hidden_parts(html)
    text = _HTML_LIST_ITEM.sub("\n• ", text)
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_BLOCK.sub("\n", text)
    text = _HTML_CELL_END.sub("   ", text)
    text = _HTML_ANY_TAG.sub("", text)
    text = html_module.unescape(text)
    text = _TRAILING_SPACES.sub("", text)
    return _BLANK_LINES.sub("\n\n", text)


def _pdf_header_offset(data: bytes) -> int:
    """Offset of "%PDF-" if it is in the first 1024 bytes (as readers allow)."""
    return data.find(b"%PDF-", 0, 1024 + 5)


def text_from_upload(data: bytes, filename: str = "") -> str:
    """Return normalised text from an uploaded PDF or text file.

    PDF or text is decided from the content (the ``%PDF-`` header), never
    from ``filename``. Raises :class:`ImportRejected` for anything unusable.
    """
    if data is None or len(data) == 0 or not bytes(data).strip():
        raise ImportRejected("The file is empty.")
    data = bytes(data)
    offset = _pdf_header_offset(data)
    if offset >= 0:
        return extract_text_from_pdf(data[offset:])
    if len(data) > DEFAULT_MAX_BYTES:
        raise ImportRejected("The file is too large to import (the limit is 40 MB).")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    for magic, what in _MAGIC:
        if what and data.startswith(magic):
            raise ImportRejected(
                f"This file looks like {what}, not a PDF or text document; please upload the PDF "
                "of the Ofsted letter or report, or paste its text."
            )
    if not utf16 and _looks_binary(data):
        raise ImportRejected(
            "This file is neither a PDF nor a text document; please upload the PDF of the Ofsted "
            "letter or report, or paste its text."
        )
    text = _decode_text(data)
    was_html = bool(_HTML_START.match(text[:2000]))
    if was_html:
        text = html_to_text(text)
    text = normalise_text(text)
    if not text.strip():
        if was_html:
            raise ImportRejected(
                "This is a web page with no readable text (only code or hidden parts): upload the PDF of the "
                "Ofsted letter or report, or paste the text of the letter itself."
            )
        raise ImportRejected("The file is empty.")
    return text
