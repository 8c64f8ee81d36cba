"""API pagination (a module of its own: DRF imports it while it loads its own modules)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Pages of reference data and timelines: {"count", "next", "previous", "results"}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CasePagination(CursorPagination):
    """Cases page by a cursor: no count over a large table, stable while cases are being filed."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")
