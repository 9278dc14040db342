"""Build the small "bad upload" files in this folder (and the PDFs the tests need).

Run from the repository root:  .venv/bin/python tests/importing/corpus/bad/make_bad_files.py

The PDFs are written by hand (a few objects and an xref table) so that no
PDF-writing dependency is needed; the encrypted one is made with pypdf's
PdfWriter.encrypt.
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble a PDF from object bodies (object 1 must be the catalog)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _escape(line: str) -> bytes:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show the given lines in Helvetica (WinAnsi encoding)."""
    page_count = len(pages)
    font_number = 3 + 2 * page_count
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(page_count)).encode()
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % page_count,
    ]
    for i, lines in enumerate(pages):
        content = io.BytesIO()
        content.write(b"BT /F1 10 Tf 12 TL 50 800 Td\n")
        for line in lines:
            content.write(b"(" + _escape(line) + b") Tj T*\n")
        content.write(b"ET")
        stream = content.getvalue()
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (font_number, 4 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    return _pdf(objects)


def image_only_pdf() -> bytes:
    """A one-page "scanned" PDF: a grey image and no text layer."""
    width = height = 64
    pixels = bytes((x * 4 + y) % 256 for y in range(height) for x in range(width))
    image = zlib.compress(pixels)
    content = b"q 495 0 0 742 50 50 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % (width, height, len(image)) + image + b"\nendstream",
    ]
    return _pdf(objects)


def png_bytes() -> bytes:
    """A small valid PNG (a 16x16 grey square)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes([128] * 16) for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("word/document.xml", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "<w:document>Focused visit to Kent children's services</w:document>")
    return buffer.getvalue()


UNRELATED_LINES = [
    "Quarterly budget monitoring report",
    "Finance and Resources Committee, 14 March 2024",
    "This report sets out the forecast outturn for the revenue budget and the capital programme.",
    "The forecast overspend is largely due to increased demand for home-to-school transport.",
    "Members are asked to note the report and approve the virements listed in appendix B.",
    "Contact officer: Head of Finance, telephone 01234 567890.",
]

LETTER_PAGES = [
    [
        "12 March 2024",
        "Jane Smith",
        "Director of Children's Services",
        "Dear Jane",
        "Focused visit to Kent children's services",
        "This letter summarises the findings of the focused visit to Kent children's services",
        "on 6 and 7 February 2024. His Majesty's Inspectors for this visit were Alex Example",
        "and Sam Sample.",
        "Inspectors looked at the local authority's arrangements for care leavers.",
        "Headline findings",
        "Care leavers are well supported by personal advisers who know them well.",
        "What needs to improve in this area of social work practice?",
        "\u2022 The timeliness of pathway plans for care leavers who are parents.",
        "\u2022 The quality of support for care leavers' emotional health and well-being.",
        "Main findings",
        "Most care leavers live in suitable accommodation.",
    ],
    [
        "Ofsted will take the findings from this focused visit into account when planning the",
        "next inspection or visit.",
        "Yours sincerely",
        "Alex Example",
        "His Majesty's Inspector",
    ],
]


def encrypted_pdf(source: bytes, user_password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    writer.encrypt(user_password=user_password, owner_password="owner-" + user_password, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build() -> dict[str, bytes]:
    letter = text_pdf(LETTER_PAGES)
    unrelated = text_pdf([UNRELATED_LINES])
    return {
        "empty.pdf": b"",
        "whitespace.txt": b"  \n\t\r\n ",
        "png-renamed.pdf": png_bytes(),
        "zip-renamed.pdf": zip_bytes(),
        "binary-junk.pdf": bytes((i * 7919 + 13) % 256 for i in range(4096)),
        "truncated.pdf": letter[: len(letter) // 8],
        "corrupt-body.pdf": b"%PDF-1.7\n" + bytes((i * 31 + 7) % 256 for i in range(2048)),
        "encrypted.pdf": encrypted_pdf(letter),
        "scanned.pdf": image_only_pdf(),
        "not-ofsted.pdf": unrelated,
        "not-ofsted.txt": ("\n".join(UNRELATED_LINES) + "\n").encode("utf-8"),
        # a positive control: a well-formed (made-up) letter as a real text PDF
        "good-letter.pdf": letter,
    }


def main() -> None:
    for name, data in build().items():
        (HERE / name).write_bytes(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
