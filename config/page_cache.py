"""Rendered page parts kept between requests, keyed by the data they show.

A dashboard, a comparison or a list is mostly the same for the same person from one change to the next,
and rendering it (queries and the template) is most of its cost. Each such page is split into the page
template (the layout, the header, messages: rendered every time) and fragments (its title and body),
which are rendered once and kept under a key made of:

- the page and the user (what a person may see differs: partners, roles; keys never cross users),
- the data revision of every council the page reads (``LocalAuthority.data_revision``, raised after each
  commit that changes a council's data, see inspections/signals.py), so a change shows at once,
- the business date (overdue and due-soon figures move at midnight) and the full path with its query.

A fragment is never kept with a secret of the request in it: a CSRF token is rendered as a placeholder
and the request's own token is put in on the way out; a CSP nonce must not appear in a fragment at all
(scripts belong to the page template), and a fragment that has one is not kept.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

PAGE_CACHE = "pages"
# Bump when the shape of a cached fragment changes, so a deploy never serves an old one.
FRAGMENT_FORMAT = 1


def _csrf_placeholder() -> str:
    # Derived from the secret key: the same in every worker, and not something a user can type into an
    # action's title to have the token put there.
    return "csrf" + hmac.new(settings.SECRET_KEY.encode(), b"page-cache-csrf", hashlib.sha256).hexdigest()[:32]


def page_key(
    name: str,
    *,
    request: HttpRequest,
    revisions: Iterable[tuple[int, int]],
    today: date | None = None,
) -> str:
    """The cache key of one page as one user sees it, given (authority id, data revision) pairs."""
    parts = [
        str(FRAGMENT_FORMAT),
        name,
        str(request.user.pk),
        today.isoformat() if today else "",
        request.get_full_path(),
        # A page fetched by htmx may answer with less than the whole page: never the same entry.
        "htmx" if request.headers.get("HX-Request") else "",
        ",".join(f"{pk}:{revision}" for pk, revision in sorted(revisions)),
    ]
    return f"page:{name}:{hashlib.sha256('|'.join(parts).encode()).hexdigest()}"


def render_with_cached_fragments(
    request: HttpRequest,
    template_name: str,
    *,
    key: str,
    context: Mapping,
    fragments: Mapping[str, str],
    build: Callable[[], Mapping],
) -> HttpResponse:
    """Render `template_name` with `context` and the named fragments, each taken from the cache or, on a
    miss, rendered from `context` plus what `build()` returns (the queries run only then)."""
    cache = caches[PAGE_CACHE]
    placeholder = _csrf_placeholder()
    rendered = cache.get(key)
    hit = rendered is not None
    if not hit:
        fragment_context = {**context, **build(), "csrf_token": placeholder}
        rendered = {
            name: render_to_string(template, fragment_context, request=request).strip() for name, template in fragments.items()
        }
        nonce = getattr(request, "csp_nonce", None)
        if nonce and any(str(nonce) in text for text in rendered.values()):
            logger.error("page %s: a fragment holds the CSP nonce; it is not cached", template_name)
        else:
            cache.set(key, rendered)
    token = get_token(request) if any(placeholder in text for text in rendered.values()) else None
    page_context = dict(context)
    for name, text in rendered.items():
        page_context[name] = mark_safe(text.replace(placeholder, token) if token else text)
    response = render(request, template_name, page_context)
    response["X-Page-Cache"] = "hit" if hit else "miss"
    return response
