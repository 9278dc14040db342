"""What the search reads of each kind of record, as PostgreSQL full-text vectors (English configuration).

The same expressions build the GIN indexes (search/migrations) and the queries (search/selectors), so
PostgreSQL can answer a search from the index: an expression index needs no change to any write path.
Weights rank a word in a title above one in a note.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector

CONFIG = "english"


def inspection_vector() -> SearchVector:
    return SearchVector("headline", config=CONFIG)


def finding_vector() -> SearchVector:
    return SearchVector("text", config=CONFIG)


def action_vector() -> SearchVector:
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("description", weight="B", config=CONFIG)
        + SearchVector("progress_notes", "evidence", weight="C", config=CONFIG)
    )


# (app label, model name, index name, vector): one GIN index each, created on PostgreSQL only.
INDEXES = (
    ("inspections", "inspection", "search_inspection_fts", inspection_vector),
    ("findings", "finding", "search_finding_fts", finding_vector),
    ("actions", "action", "search_action_fts", action_vector),
)
