"""Search across the inspections, findings and actions a user may see, grouped and ranked.

PostgreSQL: full-text search (websearch syntax: words, "a phrase", -not, or), English stemming, ranked by
SearchRank over the weighted vectors of search/vectors.py, which GIN indexes cover. Other databases
(SQLite in development): every word must appear somewhere in the record (icontains), newest first.
The scope is each model's permission policy, so an outsider finds nothing of another council and a
partner only their own actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from actions.permissions import action_policy
from findings.permissions import finding_policy
from inspections.permissions import inspection_policy
from search import vectors

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
PER_GROUP = 10


class QueryError(ValueError):
    """The search cannot run; the message says why, for the person."""


@dataclass
class Group:
    key: str
    label: str
    results: list
    total: int
    more_url: str = ""
    more_label: str = ""

    @property
    def capped(self) -> bool:
        return self.total > len(self.results)


@dataclass
class Results:
    query: str
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def clean_query(raw: str | None) -> str:
    """The query as searched: spaces collapsed; a clear error for one that is empty, too long or only
    punctuation."""
    query = " ".join((raw or "").split())
    if not query:
        raise QueryError("Enter words to search for")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"Search for {MAX_QUERY_LENGTH} characters or fewer")
    if not _words(query):
        raise QueryError("Enter words to search for, using letters or numbers")
    return query


def _words(query: str) -> list[str]:
    """The words of a query for the plain match: letters and numbers, at most MAX_WORDS."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in query)
    return cleaned.split()[:MAX_WORDS]


def _full_text() -> bool:
    return connection.vendor == "postgresql"


def _ranked(queryset: QuerySet, vector, query: str) -> QuerySet:
    search_query = SearchQuery(query, search_type="websearch", config=vectors.CONFIG)
    return (
        queryset.annotate(search=vector, rank=SearchRank(vector, search_query))
        .filter(search=search_query)
        .order_by("-rank", "-pk")
    )


def _matching(queryset: QuerySet, fields: tuple[str, ...], query: str, *, newest: str) -> QuerySet:
    for word in _words(query):
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset.order_by(F(newest).desc(nulls_last=True), "-pk")


def _inspections(user, query: str) -> QuerySet:
    queryset = inspection_policy.instances_user_has_permission_for(user, "view").select_related("authority")
    if _full_text():
        return _ranked(queryset, vectors.inspection_vector(), query)
    return _matching(queryset, ("headline",), query, newest="visit_start")


def _findings(user, query: str) -> QuerySet:
    queryset = finding_policy.instances_user_has_permission_for(user, "view").select_related(
        "inspection__authority", "theme"
    )
    if _full_text():
        return _ranked(queryset, vectors.finding_vector(), query)
    return _matching(queryset, ("text",), query, newest="inspection__visit_start")


def _actions(user, query: str) -> QuerySet:
    queryset = action_policy.instances_user_has_permission_for(user, "view").select_related(
        "finding__inspection__authority", "owner"
    )
    if _full_text():
        return _ranked(queryset, vectors.action_vector(), query)
    return _matching(queryset, ("title", "description", "progress_notes", "evidence"), query, newest="updated_at")


GROUPS = {
    "inspections": ("Inspections", _inspections),
    "findings": ("Findings", _findings),
    "actions": ("Actions", _actions),
}


def search_for(user, query: str, *, per_group: int = PER_GROUP) -> Results:
    """The user's inspections, findings and actions matching `query` (already cleaned), at most `per_group`
    of each, best first, with how many there are in all. At most two queries a group, whatever the rows."""
    results = Results(query=query)
    for key, (label, rows_for) in GROUPS.items():
        rows = rows_for(user, query)
        page = list(rows[:per_group])
        total = len(page) if len(page) < per_group else rows.count()
        group = Group(key=key, label=label, results=page, total=total)
        if group.capped:
            group.more_url = f"{reverse('search:results')}?{urlencode({'q': query, 'in': key})}"
            group.more_label = f"See all {total} {label.lower()}"
        results.groups.append(group)
    return results


def search_group(user, query: str, key: str) -> tuple[str, QuerySet]:
    """One group's matches, best first, for paging through all of them (`key` as in GROUPS)."""
    label, rows_for = GROUPS[key]
    return label, rows_for(user, query)


def action_list_url(query: str) -> str:
    """The action list filtered by the same words (its own plain match, which also reads findings' text)."""
    return f"{reverse('actions:action_list')}?{urlencode({'q': query})}"
