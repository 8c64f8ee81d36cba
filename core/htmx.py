"""htmx: whether a request asks for a fragment of a page rather than the whole page."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked for a fragment of the page (it sends `HX-Request: true`)."""
    return request.headers.get("HX-Request") == "true"
