"""Pure-Python importer for Ofsted children's services publications.

Usage::

    text = text_from_upload(data, filename)       # PDF or text -> normalised text
    parsed = parse_publication(text)              # never raises
    require_ofsted_publication(parsed)            # raises NotAnOfstedPublication
    parsed.to_contract()                          # stable JSON-able dict

or simply ``import_upload(data, filename)``. No Django imports in this package.
"""
from .authorities import Authority, all_authorities, match_authority
from .extract import ImportRejected, extract_text_from_pdf, normalise_text, text_from_upload
from .parser import (
    CONTRACT_FIELDS,
    AREAS,
    FOCUS_AREAS,
    GRADES,
    KINDS,
    NotAnOfstedPublication,
    ParsedJudgement,
    ParsedPublication,
    parse_publication,
    require_ofsted_publication,
)


def import_upload(data: bytes, filename: str = "") -> ParsedPublication:
    """Extract, parse and check an upload; raises ImportRejected (or its
    subclass NotAnOfstedPublication) when it cannot be imported."""
    return require_ofsted_publication(parse_publication(text_from_upload(data, filename)))


__all__ = [
    "AREAS",
    "CONTRACT_FIELDS",
    "Authority",
    "FOCUS_AREAS",
    "GRADES",
    "ImportRejected",
    "KINDS",
    "NotAnOfstedPublication",
    "ParsedJudgement",
    "ParsedPublication",
    "all_authorities",
    "extract_text_from_pdf",
    "import_upload",
    "match_authority",
    "normalise_text",
    "parse_publication",
    "require_ofsted_publication",
    "text_from_upload",
]
