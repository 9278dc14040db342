"""Presentation helpers for the action tables: sortable column headers that keep the filter state, and
the rows of the lists worked out in Python."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from actions.models import RAG_TAG_CLASS, STATUS_TAG_CLASS
from actions.templatetags.progress_tags import days_ago_text
from core.dates import short_date, short_month
from core.links import ID_MARK, filled_in
from core.people import person_label
from findings.models import FindingKind
from inspections.models import InspectionKind


@dataclass(frozen=True)
class SortHeader:
    label: str
    key: str | None  # None: not sortable
    next_sort: str | None
    aria_sort: str | None  # "ascending" | "descending" | None
    numeric: bool = False


def sort_headers(columns: list[tuple[str, str | None]], current: str) -> list[SortHeader]:
    """Each header links to its own ascending sort, or to descending when it is already ascending."""
    headers = []
    for label, key in columns:
        if key is None:
            headers.append(SortHeader(label, None, None, None))
            continue
        if current == key:
            headers.append(SortHeader(label, key, f"-{key}", "ascending"))
        elif current == f"-{key}":
            headers.append(SortHeader(label, key, key, "descending"))
        else:
            headers.append(SortHeader(label, key, key, None))
    return headers


# --- the rows of the action lists ---------------------------------------------------------------------
#
# Each row's words are worked out here, once, in Python: the template only writes them out. The Django
# template engine charges for every lookup, filter and include, and a list page writes 25 rows of a dozen
# values each (a third of the page's time before; docs/benchmarks.md).

def finding_reference(kind: str, position: int) -> str:
    """"Priority action 2" or "Improvement 3": how a finding is named beside its actions."""
    return f"{'Priority action' if kind == FindingKind.PRIORITY_ACTION else 'Improvement'} {position}"


def action_path_maker() -> Callable[[int], str]:
    """The action page's path for any id, from one reverse: lists call it once, not once a row."""
    return filled_in(reverse("actions:action_detail", kwargs={"pk": ID_MARK}), ID_MARK)


@dataclass(frozen=True)
class ActionRow:
    pk: int
    version: int
    url: str
    title: str
    # "Croydon · Full inspection Sep 2024 · Improvement 3 · Leadership · Outcome 2"
    context: str
    owner: str
    due_iso: str
    due_text: str
    status_label: str
    status_class: str
    overdue: bool
    rag_label: str
    rag_class: str
    progress_iso: str
    progress_ago: str
    progress_text: str
    stale_days: int | None  # days without a progress update, when the action is stale


VISIT_KIND_LABELS = dict(InspectionKind.choices)


def action_rows(actions, *, today: date) -> list[ActionRow]:
    """The rows of a page of actions read by actions.selectors.table_page (with its owner, and the words
    of its finding, theme, visit and council as columns)."""
    rows = []
    action_path = action_path_maker()
    for action in actions:
        visit = f"{VISIT_KIND_LABELS.get(action.visit_kind, action.visit_kind)} {short_month(action.visit_start)}"
        context = [action.authority_name, visit, finding_reference(action.finding_kind, action.finding_position)]
        if action.theme_name:
            context.append(action.theme_name)
        if action.framework_refs:
            context.append(capfirst(", ".join(action.framework_refs)))
        progress_day = timezone.localdate(action.last_progress_at) if action.last_progress_at else None
        rows.append(ActionRow(
            pk=action.pk,
            version=action.version,
            url=action_path(action.pk),
            title=action.title,
            context=" · ".join(context),
            owner=person_label(action.owner, nobody="Unassigned"),
            due_iso=action.due_date.isoformat() if action.due_date else "",
            due_text=short_date(action.due_date) if action.due_date else "",
            status_label=action.get_status_display(),
            status_class=STATUS_TAG_CLASS[action.status],
            overdue=action.is_overdue(today),
            rag_label=action.get_rag_display(),
            rag_class=RAG_TAG_CLASS[action.rag],
            progress_iso=progress_day.isoformat() if progress_day else "",
            progress_ago=days_ago_text(progress_day, today) if progress_day else "",
            progress_text=short_date(progress_day) if progress_day else "",
            stale_days=action.stale_days if action.is_stale(today) else None,
        ))
    return rows
