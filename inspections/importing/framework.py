"""The Children's Social Care: National Framework (statutory guidance, DfE, December 2023).

Since autumn 2025 Ofsted cross-references each area for improvement with the framework's outcomes,
enablers or principles, in brackets at the end of the point: "(outcome 4, national framework)",
"(Enabler 2, national framework)", "(Outcome 3 National Social Care Framework)". A reference is a tag
of the point ("outcome 4": lower case, one space, the number), not part of its text.
No Django imports here.
"""
from __future__ import annotations

import re

OUTCOMES = {
    1: "Children, young people and families stay together and get the help they need",
    2: "Children and young people are supported by their family network",
    3: "Children and young people are safe in and outside of their homes",
    4: "Children in care and care leavers have stable, loving homes",
}
ENABLERS = {
    1: "Multi-agency working is prioritised and effective",
    2: "Leaders drive conditions for effective practice",
    3: "The workforce is equipped and effective",
}
# The six principles, in the guidance's order (short labels).
PRINCIPLES = {
    1: "Children's welfare is paramount",
    2: "Children's wishes and feelings are sought, heard and responded to",
    3: "Children's social care works in partnership with whole families",
    4: "Children are raised by their families, family networks or in family environments wherever possible",
    5: "Local authorities work with other agencies to identify and meet children's and families' needs",
    6: "Local authorities act fairly and without discrimination for every child and family",
}
_KINDS = {"outcome": OUTCOMES, "enabler": ENABLERS, "principle": PRINCIPLES}

# Every known tag, in display order, with its label: ("outcome 1", "Outcome 1: Children, ...").
FRAMEWORK_REFS: tuple[tuple[str, str], ...] = tuple(
    (f"{kind} {number}", f"{kind.capitalize()} {number}: {label}")
    for kind, items in _KINDS.items()
    for number, label in items.items()
)
KNOWN_REFS = frozenset(ref for ref, _ in FRAMEWORK_REFS)
_ORDER = {ref: i for i, (ref, _) in enumerate(FRAMEWORK_REFS)}

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NUM = r"(?:\d{1,2}|one|two|three|four|five|six)"
_REF = re.compile(
    rf"\b(outcome|enabler|principle)s?\s*(?:no\.?\s*)?({_NUM}(?:\s*(?:,|&|/|\band\b|\bor\b)\s*{_NUM}(?!\s*(?:outcome|enabler|principle)))*)",
    re.I,
)
# What a bracket may hold besides the references themselves.
_FILLER = re.compile(
    r"\b(?:the|national|social|care|children|children[’'`]?s|framework|csc|ncf|nf|see|in|of|and|or|also|"
    r"statutory|guidance|dfe)\b|[\s,;:.&/–—-]+",
    re.I,
)
_BRACKET = re.compile(r"\s*[(\[]([^()\[\]]{3,160})[)\]]")


def normalise_ref(text: str) -> str | None:
    """'Outcome 4' -> 'outcome 4'; None when it is not a known reference."""
    m = re.fullmatch(r"\s*(outcome|enabler|principle)s?\s+(\d{1,2})\s*", text or "", re.I)
    if not m:
        return None
    ref = f"{m.group(1).lower()} {int(m.group(2))}"
    return ref if ref in KNOWN_REFS else None


def invalid_refs(value) -> list[str]:
    """The entries of a stored list of tags that are not known references (empty when all are)."""
    if not isinstance(value, (list, tuple)):
        return [repr(value)]
    return [str(item) for item in value if item not in KNOWN_REFS]


def sort_refs(refs) -> list[str]:
    return sorted(set(refs), key=lambda r: _ORDER.get(r, len(_ORDER)))


def _refs_in(content: str) -> tuple[list[str], list[str]]:
    """(known refs, unknown refs) named in a bracket's text."""
    known: list[str] = []
    unknown: list[str] = []
    for m in _REF.finditer(content):
        kind = m.group(1).lower()
        for token in re.findall(_NUM, m.group(2), re.I):
            number = _NUMBER_WORDS.get(token.lower()) or int(token)
            ref = f"{kind} {number}"
            target = known if ref in KNOWN_REFS else unknown
            if ref not in target:
                target.append(ref)
    return known, unknown


def split_refs(point: str) -> tuple[str, list[str], list[str]]:
    """Take the national-framework references out of a point.

    Returns (text without the brackets, known refs in order, unknown refs). A bracket is a reference
    only when it holds nothing but references and words such as "national framework", so an ordinary
    aside in brackets stays in the text.
    """
    refs: list[str] = []
    unknown: list[str] = []

    def take(m: re.Match) -> str:
        content = m.group(1)
        if not _REF.search(content):
            return m.group(0)
        if _FILLER.sub("", _REF.sub("", content)).strip():
            return m.group(0)  # an aside that mentions an outcome, not a cross-reference
        known, bad = _refs_in(content)
        refs.extend(r for r in known if r not in refs)
        unknown.extend(r for r in bad if r not in unknown)
        return ""

    text = _BRACKET.sub(take, point)
    if text != point:
        text = re.sub(r"\s+([.;,])", r"\1", text).strip()
        text = re.sub(r"([.!?])\s*\.$", r"\1", text)  # "delay. (Outcome 3)." -> "delay."
        text = re.sub(r"\s{2,}", " ", text)
    return text, refs, unknown
