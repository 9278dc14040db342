"""Matching authority names as Ofsted writes them to the reference list."""
from __future__ import annotations

import pytest

from inspections.importing import all_authorities, match_authority


@pytest.mark.parametrize(
    "written, canonical",
    [
        ("Barnsley", "Barnsley"),
        ("barnsley", "Barnsley"),
        ("Kingston upon Hull", "Kingston Upon Hull, City of"),
        ("Kingston upon Hull City Council", "Kingston Upon Hull, City of"),
        ("Hull", "Kingston Upon Hull, City of"),
        ("Kingston upon Thames", "Kingston upon Thames"),
        ("Royal Borough of Kingston upon Thames", "Kingston upon Thames"),
        ("Bristol", "Bristol, City of"),
        ("Bristol City Council", "Bristol, City of"),
        ("City of Bristol", "Bristol, City of"),
        ("Durham", "Durham"),
        ("County Durham", "Durham"),
        ("Durham County Council", "Durham"),
        ("Herefordshire", "Herefordshire"),
        ("Herefordshire, County of", "Herefordshire"),
        ("Herefordshire Council", "Herefordshire"),
        ("St Helens", "St. Helens"),
        ("St. Helens", "St. Helens"),
        ("Saint Helens", "St. Helens"),
        ("Brighton & Hove", "Brighton and Hove"),
        ("Hammersmith & Fulham", "Hammersmith and Fulham"),
        ("Kent's", "Kent"),
        ("Kent County Council", "Kent"),
        ("London Borough of Bexley", "Bexley"),
        ("Royal Borough of Greenwich", "Greenwich"),
        ("Bedford Borough", "Bedford Borough"),
        ("Bedford", "Bedford Borough"),
        ("Leicester City Council", "Leicester"),
        ("Leicestershire County Council", "Leicestershire"),
        ("City of Wolverhampton", "Wolverhampton"),
        ("Newcastle", "Newcastle upon Tyne"),
        ("Derby City Council", "Derby"),
        ("Dudley MBC", "Dudley"),
        ("Dudley Metropolitan Borough Council", "Dudley"),
        ("Blackpool Borough Council", "Blackpool"),
        ("North Lincolnshire", "North Lincolnshire"),
        ("Lincolnshire", "Lincolnshire"),
        ("North East Lincolnshire Council", "North East Lincolnshire"),
        ("BCP Council", "Bournemouth, Christchurch and Poole"),
        ("Bournemouth, Christchurch and Poole Council", "Bournemouth, Christchurch and Poole"),
        ("Southend", "Southend-on-Sea"),
        ("Southend-on-Sea City Council", "Southend-on-Sea"),
        ("Stoke-on-Trent", "Stoke-on-Trent"),
        ("Telford and Wrekin Council", "Telford and Wrekin"),
        ("Royal Borough of Windsor and Maidenhead", "Windsor and Maidenhead"),
        ("Isles of Scilly", "Isles of Scilly"),
        ("Council of the Isles of Scilly", "Isles of Scilly"),
        ("City of London", "City of London"),
        ("East Riding of Yorkshire Council", "East Riding of Yorkshire"),
        ("York", "York"),
        ("City of York Council", "York"),
        ("North Yorkshire", "North Yorkshire"),
        ("Inspection of Kent local authority children's services", "Kent"),
        ("Inspection of Kent local authority children’s services", "Kent"),
        ("Focused visit to Bexley children's services", "Bexley"),
        ("Focused visit to London Borough of Bexley children’s services", "Bexley"),
        ("Monitoring visit to St Helens children’s services", "St. Helens"),
        ("Inspection of City of Wolverhampton local authority children’s services", "Wolverhampton"),
        (
            "Joint targeted area inspection of the multi-agency response to children who are victims of "
            "domestic abuse in Southend-on-Sea",
            "Southend-on-Sea",
        ),
    ],
)
def test_match(written, canonical):
    found = match_authority(written)
    assert found is not None, written
    name, urn = found
    assert name == canonical
    assert urn == next(a.ofsted_urn for a in all_authorities() if a.name == canonical)


@pytest.mark.parametrize("written", ["", "   ", "Narnia", "Ofsted", "children's services", "Manchester United"[:3]])
def test_no_match(written):
    assert match_authority(written) is None


def test_every_canonical_name_matches_itself():
    authorities = all_authorities()
    assert len(authorities) > 150
    for authority in authorities:
        assert match_authority(authority.name) == (authority.name, authority.ofsted_urn)


def test_all_authorities_is_loaded_once():
    assert all_authorities() is all_authorities()


def test_non_string_input():
    assert match_authority(None) is None  # type: ignore[arg-type]
