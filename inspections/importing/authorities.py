"""English local authorities with children's services responsibilities.

Loads ``inspections/data/local_authorities.csv`` once and matches names as Ofsted
writes them ("London Borough of Bexley", "Kingston upon Hull City Council",
"Focused visit to Bexley children's services") to the canonical CSV name.
No Django imports here.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "local_authorities.csv"


@dataclass(frozen=True)
class Authority:
    name: str
    ofsted_urn: str
    dfe_la_code: str
    ons_code: str
    region: str
    la_type: str


# Words describing the kind of council, dropped before comparing names.
_PREFIXES = (
    "the royal borough of",
    "royal borough of",
    "the london borough of",
    "london borough of",
    "metropolitan borough of",
    "the borough of",
    "borough of",
    "the city of",
    "city and county of",
    "county of",
    "city of",
    "the council of the",
    "council of the",
    "county",  # "County Durham"
    "the",
)
_SUFFIXES = (
    "local authority children s services",
    "local authority",
    "metropolitan borough council",
    "metropolitan district council",
    "borough council",
    "county borough council",
    "county council",
    "city council",
    "district council",
    "unitary authority",
    "council",
    "mbc",
    "cc",
    "bc",
    "city",
    "borough",
    "county",
    "city of",
    "county of",
)

# Names Ofsted or councils commonly use that differ from the CSV's.
_ALIASES = {
    "hull": "Kingston Upon Hull, City of",
    "newcastle": "Newcastle upon Tyne",
    "bcp": "Bournemouth, Christchurch and Poole",
    "southend": "Southend-on-Sea",
    "stoke": "Stoke-on-Trent",
    "telford": "Telford and Wrekin",
    "banes": "Bath and North East Somerset",
    "bath": "Bath and North East Somerset",
    "richmond": "Richmond upon Thames",
    "kingston": "Kingston upon Thames",
    "windsor": "Windsor and Maidenhead",
    "brighton": "Brighton and Hove",
    "blackburn": "Blackburn with Darwen",
    "cheshire west": "Cheshire West and Chester",
    "hammersmith": "Hammersmith and Fulham",
    "kensington": "Kensington and Chelsea",
    "barking": "Barking and Dagenham",
    "redcar": "Redcar and Cleveland",
    "east riding": "East Riding of Yorkshire",
    "st helens": "St. Helens",
    "saint helens": "St. Helens",
    "durham": "Durham",
    "herefordshire": "Herefordshire",
    "bristol": "Bristol, City of",
    "bedford": "Bedford Borough",
}


def _fold(text: str) -> str:
    """Lower-case, ASCII-fold, '&' -> 'and', punctuation -> space, squeeze spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("&", " and ")
    text = re.sub(r"\bst\.?\s", "st ", text)
    text = re.sub(r"\bsaint\s", "st ", text)
    text = re.sub(r"[’'`´]s\b", " ", text)  # possessives: "Kent's" -> "kent"
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _key(name: str) -> str:
    """Comparison key: folded name without council-type words."""
    key = _fold(name)
    # "Bristol, City of" -> "bristol city of" -> strip trailing "city of"
    changed = True
    while changed and key:
        changed = False
        for prefix in _PREFIXES:
            if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
                key = key[len(prefix) + 1:]
                changed = True
        for suffix in _SUFFIXES:
            if key.endswith(" " + suffix):
                key = key[: -len(suffix) - 1]
                changed = True
    return key


@lru_cache(maxsize=1)
def all_authorities() -> tuple[Authority, ...]:
    """Every authority in the reference CSV, in file order."""
    with open(CSV_PATH, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        Authority(
            name=row["name"].strip(),
            ofsted_urn=(row.get("ofsted_urn") or "").strip(),
            dfe_la_code=(row.get("dfe_la_code") or "").strip(),
            ons_code=(row.get("ons_code") or "").strip(),
            region=(row.get("region") or "").strip(),
            la_type=(row.get("la_type") or "").strip(),
        )
        for row in rows
        if row.get("name")
    )


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Authority], list[tuple[str, Authority]]]:
    by_key: dict[str, Authority] = {}
    by_name = {a.name: a for a in all_authorities()}
    for authority in all_authorities():
        for variant in (authority.name, _fold(authority.name)):
            by_key.setdefault(_key(variant), authority)
            by_key.setdefault(_fold(variant), authority)
    for alias, canonical in _ALIASES.items():
        if canonical in by_name:
            by_key.setdefault(_fold(alias), by_name[canonical])
    # For searching inside longer text: longest keys first so that
    # "north lincolnshire" wins over "lincolnshire".
    searchable = sorted(
        ((k, a) for k, a in by_key.items()
         if (len(k) >= 4 or k in ("hull", "york", "bath")) and k != "london"),
        key=lambda item: -len(item[0]),
    )
    return by_key, searchable


def _lookup_exact(name: str) -> Authority | None:
    by_key, _ = _index()
    for candidate in (_fold(name), _key(name)):
        if candidate in by_key:
            return by_key[candidate]
    return None


_TITLE_PATTERNS = (
    r"(?:focused|monitoring)\s+visit\s+to\s+(?P<n>.+?)(?:\s+local\s+authority)?\s+children\s*s?\s+services",
    r"inspection\s+of\s+(?P<n>.+?)(?:\s+local\s+authority)?\s+children\s*s?\s+(?:social\s+care\s+)?services",
    r"visit\s+to\s+(?P<n>.+?)(?:\s+local\s+authority)?\s+children\s*s?\s+services",
    r"\bin\s+(?P<n>[a-z][a-z ]+?)\s*$",  # JTAI titles: "... in Kent"
)


def _search_in(text: str) -> Authority | None:
    folded = " " + _fold(text) + " "
    _, searchable = _index()
    best: tuple[int, int, Authority] | None = None
    for key, authority in searchable:
        pos = folded.find(" " + key + " ")
        if pos >= 0:
            cand = (pos, -len(key), authority)
            if best is None or cand[:2] < best[:2]:
                best = cand
    return best[2] if best else None


def match_authority(name_as_written: str) -> tuple[str, str] | None:
    """Return ``(canonical_name, ofsted_urn)`` for a name as written, or None.

    Accepts bare names ("Bristol", "St Helens", "County Durham"), council names
    ("Leicester City Council", "London Borough of Bexley"), possessives
    ("Kent's") and titles that embed the name ("Inspection of Kent local
    authority children's services").
    """
    if not isinstance(name_as_written, str):
        return None
    text = re.sub(r"\s+", " ", name_as_written).strip()
    if not text or len(text) > 2000:
        return None
    authority = _lookup_exact(text)
    if authority is None:
        folded = _fold(text)
        for pattern in _TITLE_PATTERNS:
            m = re.search(pattern, folded)
            if m:
                authority = _lookup_exact(m.group("n")) or _search_in(m.group("n"))
                if authority:
                    break
    if authority is None:
        authority = _search_in(text)
    if authority is None:
        return None
    return authority.name, authority.ofsted_urn
