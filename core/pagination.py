"""One way to split a long list into pages, shared by every page that lists things."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


def page_of(items, number, per_page: int) -> Page:
    """The requested page (the last one when past the end, the first when not a number), with the
    page numbers to show beside it (first, last and two either side of the current one)."""
    page = Paginator(items, per_page).get_page(number)
    page.elided_pages = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
