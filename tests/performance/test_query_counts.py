"""Every key page makes the same number of queries on small and on larger generated data.

Small: 2 authorities, 2 years. Larger: 3 authorities, 2 years at scale 3 (about 3x the visits, findings,
actions and history of the measured authority, 1.5x the authorities). A page whose count moves with the
data has an N+1 query; the message lists every page that moved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, Role
from accounts.services import user_provision
from actions.models import OPEN_STATUSES, Action
from bench.htmlform import form_with_field
from inspections.models import Inspection, LocalAuthority

# The pasted-text copy of a real report: the same preview and queries as its PDF, without the seconds of
# PDF extraction in a child process (which makes no queries; the benchmark times it).
LETTER = Path(__file__).resolve().parents[1] / "importing" / "corpus" / "text" / "inspections" / "barnet-2019-07-01.txt"
# Well above today's counts: a guard against a page creeping up, not a snapshot of it.
BUDGET = 40
# A page whose council figures are in the data cache (core/datacache.py) reads the session, the user,
# their roles and councils (with their revisions), and nothing of the figures it shows.
CACHED_BUDGET = 8
DATA_CACHED_PAGES = {"dashboard", "overview", "compare", "authority_list"}


def _users():
    """A lead of the first authority, a national senior leader and a superuser (who imports)."""
    authority = LocalAuthority.objects.filter(inspections__isnull=False).order_by("name").first()
    lead = get_user_model().objects.get(username=f"{authority.slug}-lead-1")
    national = user_provision(username="perf-national", password="x" * 12, role=Role.SENIOR_LEADER, authorities=[])
    Membership.objects.bulk_create(
        [Membership(user=national, authority=a) for a in LocalAuthority.objects.filter(inspections__isnull=False)],
        ignore_conflicts=True,
    )
    superuser = get_user_model().objects.filter(username="perf-admin").first() or get_user_model().objects.create_superuser(
        "perf-admin", "perf-admin@example.org", "x" * 12
    )
    owner = (
        Action.objects.filter(finding__inspection__authority=authority).filter(owner__user__isnull=False).values_list("owner__user", flat=True).first()
    )
    return authority, {"lead": lead, "national": national, "admin": superuser,
                       "owner": get_user_model().objects.get(pk=owner)}


def _pages(authority) -> list[tuple[str, str, str, str]]:
    """(key, user, method, path) for every key page."""
    latest = Inspection.objects.filter(authority=authority).order_by("-visit_start").first()
    action = (
        Action.objects.filter(finding__inspection__authority=authority, status__in=OPEN_STATUSES).order_by("id").first()
        or Action.objects.filter(finding__inspection__authority=authority).order_by("id").first()
    )
    slug = authority.slug
    return [
        ("dashboard", "lead", "GET", f"/authorities/{slug}/dashboard/"),
        ("overview", "national", "GET", "/overview/"),
        ("action_list_filtered", "lead", "GET", "/actions/?status=in_progress&status=blocked&rag=red&sort=due"),
        ("action_list", "national", "GET", "/actions/"),
        ("my_actions", "owner", "GET", "/actions/mine/"),
        ("compare", "lead", "GET", f"/authorities/{slug}/compare/"),
        ("authority_list", "national", "GET", "/authorities/"),
        ("authority_detail", "lead", "GET", f"/authorities/{slug}/"),
        ("inspection_detail", "lead", "GET", f"/inspections/{latest.pk}/"),
        ("action_detail", "lead", "GET", f"/actions/{action.pk}/"),
        ("action_update_form", "lead", "GET", f"/actions/{action.pk}/update/"),
        ("action_update_post", "lead", "POST", f"/actions/{action.pk}/update/"),
        ("import_upload_and_preview", "admin", "POST", "/import/"),
    ]


def _request(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    if path == "/import/":
        assert form_with_field(client.get(path).content.decode(), "text"), "no paste box on the import page"
        response = client.post(path, {"text": LETTER.read_text(encoding="utf-8")})
        assert response.status_code == 302, f"import upload answered {response.status_code}"
        return client.get(response["Location"])
    form = form_with_field(client.get(path).content.decode(), "version")
    assert form, f"no update form on {path}"
    data = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}
    data.update(note="Checked at the monthly board.", rag_reason="Keeping the lead's rating.")
    response = client.post(path, data)
    assert response.status_code in (302, 303), f"update answered {response.status_code}"
    return response


def _counts(client_factory, users, pages) -> dict[str, int]:
    counts = {}
    for key, who, method, path in pages:
        client = client_factory()
        client.force_login(users[who])
        _request(client, method, path)  # Warm: sessions, first-use queries.
        # The page as built (what a change costs): no figures kept from the warm-up.
        caches["default"].clear()
        with CaptureQueriesContext(connection) as captured:
            response = _request(client, method, path)
        assert response.status_code in (200, 302, 303), f"{key}: HTTP {response.status_code}"
        counts[key] = len(captured)
        if key in DATA_CACHED_PAGES:
            # And the same page again, its figures from the data cache.
            with CaptureQueriesContext(connection) as captured:
                _request(client, method, path)
            counts[f"{key} (cached)"] = len(captured)
    return counts


@pytest.fixture
def _fast_upload_path(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


def test_key_pages_query_count_is_constant_in_data_size(generate, _fast_upload_path, django_assert_max_num_queries):
    from django.test import Client

    generate(authorities=2, years=2, seed=4)
    authority, users = _users()
    small = _counts(Client, users, _pages(authority))

    generate(authorities=3, years=2, scale=3, seed=4)
    authority, users = _users()
    larger = _counts(Client, users, _pages(authority))

    moved = {key: (small[key], larger[key]) for key in small if small[key] != larger[key]}
    print("query counts (small, larger):", {key: (small[key], larger[key]) for key in small})
    assert not moved, f"query counts that grew with the data (small, larger): {moved}"
    over = {key: count for key, count in larger.items() if count > BUDGET}
    assert not over, f"pages over the budget of {BUDGET} queries: {over}"
    cached = [key for key in larger if key.endswith("(cached)")]
    slow_hits = {key: larger[key] for key in cached if larger[key] > CACHED_BUDGET}
    assert not slow_hits, f"pages with cached figures over {CACHED_BUDGET} queries (session, user, roles, councils): {slow_hits}"
    not_saved = [key for key in cached if larger[key] >= larger[key.removesuffix(" (cached)")]]
    assert not not_saved, f"the data cache saved no query on {not_saved}"
