"""Request and response rules that hold for every page: a size cap read before any body, and no caching
of anything shown to a signed-in person."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

# Form fields and multipart framing around the largest file allowed.
FORM_OVERHEAD_BYTES = 1024 * 1024


def request_body_limit() -> int:
    return settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over the limit before anything reads it (413).

    A client that declares no length (chunked) or lies about it is capped while the body streams, by
    StreamingUploadLimitHandler (FILE_UPLOAD_HANDLERS) and DATA_UPLOAD_MAX_MEMORY_SIZE for the rest.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > request_body_limit():
            limit_mb = settings.MAX_UPLOAD_BYTES / (1024 * 1024)
            body = render_to_string("413.html", {"limit_mb": f"{limit_mb:g}"}, request=request)
            response = HttpResponse(body, status=413)
            # The body was never read: the connection cannot carry another request.
            response["Connection"] = "close"
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on everything answered to a signed-in person (pages, exports,
    downloads, htmx fragments): names and emails must not stay in shared or browser caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "private, no-store, max-age=0"
        return response
