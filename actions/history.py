"""Turns history rows into what a person reads on the timeline: "Status: Not started → In progress"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model

from actions.models import ActionUpdate, Rag, Status
from core.people import person_label

FIELD_LABELS = {
    "title": "Title",
    "description": "Description",
    "owner": "Owner",
    "due_date": "Due date",
    "status": "Status",
    "rag": "RAG",
    "evidence": "Evidence summary",
    "evidence_link": "Evidence link",
    "measure_name": "Impact measure",
    "measure_baseline": "Baseline",
    "measure_target": "Target",
    "measure_latest": "Latest value",
    "measure_latest_on": "Date of latest value",
}
# Recorded beside the field changes (action_update's extra_history): one value, not a from → to.
NOTE_LABELS = {
    "rag_reason": "Reason for RAG",
    "due_date_reason": "Reason for new due date",
    "evidence_added": "Evidence added",
    "sent_back_reason": "Sent back",
}
FLAG_LABELS = {"verified": "Verified and closed", "comment": "Comment"}
ORDER = {name: index for index, name in enumerate([*FIELD_LABELS, *NOTE_LABELS])}
# The progress note is shown as the note itself; a diff of it would repeat it.
HIDDEN = {"progress_notes"}


@dataclass
class TimelineEntry:
    update: ActionUpdate
    author: str
    headline: str
    changes: list[str] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def _display(name: str, value, people: dict[str, str]) -> str:
    if value in (None, ""):
        return "(none)"
    if name == "status":
        return Status(value).label if value in Status.values else str(value)
    if name == "rag":
        return Rag(value).label if value in Rag.values else str(value)
    if name == "owner":
        return people.get(value, value)
    if name in ("due_date", "measure_latest_on"):
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return f"{day.day} {day:%B %Y}"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def timeline_for(history: list[ActionUpdate]) -> list[TimelineEntry]:
    """Entries newest first; one extra query only when an owner changed (to show names, not usernames)."""
    usernames = {
        value
        for update in history
        for value in (update.changes or {}).get("owner", [])
        if value
    }
    people = {}
    if usernames:
        for person in get_user_model().objects.filter(username__in=usernames):
            people[person.get_username()] = person_label(person)
    entries = []
    for update in history:
        author = update.author
        entry = TimelineEntry(
            update=update,
            author=person_label(author, nobody="System"),
            headline="Update",
        )
        changes = update.changes or {}
        # PostgreSQL's jsonb does not keep key order: list changes in the order the form shows them.
        for name, values in sorted(changes.items(), key=lambda item: ORDER.get(item[0], len(ORDER))):
            if name in HIDDEN:
                continue
            if name in NOTE_LABELS:
                entry.notes.append((NOTE_LABELS[name], str(values[1])))
            elif name in FLAG_LABELS:
                entry.headline = FLAG_LABELS[name]
            else:
                label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
                old, new = values
                if old is None and update.version == 1:
                    entry.changes.append(f"{label}: {_display(name, new, people)}")
                else:
                    entry.changes.append(f"{label}: {_display(name, old, people)} → {_display(name, new, people)}")
        if update.version == 1:
            entry.headline = "Action created"
        elif "sent_back_reason" in changes:
            entry.headline = "Sent back"
        elif entry.headline == "Update" and "status" in changes and changes["status"][1] == Status.COMPLETE:
            entry.headline = "Marked complete"
        entries.append(entry)
    return entries
