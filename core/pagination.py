"""API pagination (a module of its own: DRF imports it while it loads its own modules).

A wrong page or cursor is the client's mistake in a parameter: 400 validation_error, not 404
(which DESIGN.md §6 keeps for a case that does not exist or may not be seen).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class StandardPagination(PageNumberPagination):
    """Pages of reference data: {"count", "next", "previous", "results"}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ValidationError({self.page_query_param: [_("There is no such page.")]}) from error


class CasePagination(CursorPagination):
    """Cases page by a cursor: no count over a large table, stable while cases are being filed."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, DjangoValidationError, ValueError, OverflowError) as error:
            # A cursor is opaque: one that was not handed out by a `next`/`previous` link is refused.
            message = _("This cursor is not valid; follow the next and previous links.")
            raise ValidationError({self.cursor_query_param: [message]}) from error
