"""One list view and its export (NetBox's ObjectListView): filters, pages, the htmx fragment and the files.

A list page names its FilterSet, its rows, its template and its URLs; this module does the rest
once, for every list (cases, communities, volunteers, activities, branches):

    class VolunteerListView(StaffOnlyMixin, FilteredListView):
        filterset_class = VolunteerFilterSet
        template_name = "volunteers/volunteer_list.html"   # with {% partialdef results %}
        list_url_name, export_url_name = "volunteers:volunteer_list", "volunteers:volunteer_export"

        def rows(self):
            return volunteer_rows()

    class VolunteerExportView(StaffOnlyMixin, FilteredExportView):
        list_view, filename = VolunteerListView, gettext_lazy("Volunteers")

        def columns(self):
            return [Column(gettext_lazy("Name"), attrgetter("name"))]

- Invalid filters are a 400 page that shows the errors (and no rows); an export with invalid
  filters goes back to the list with the message "Correct the filters before exporting.".
- htmx (the filter form's hx-get) gets only the page's `results` fragment; a history restore or
  a plain GET gets the whole page, so the list works without JavaScript.
- Who may see a list is not decided here: each app puts its access mixin first in the bases.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views import View

from core.exports import EXPORT_FORMATS, Column, export_response
from core.htmx import is_htmx

EXPORT_CHUNK_SIZE = 500  # rows per query of an export


class FilteredListView(View):
    """A list page: a FilterSet over the rows, paginated; the htmx fragment and the export links come with it."""

    filterset_class: ClassVar[type]
    template_name: ClassVar[str]
    list_url_name: ClassVar[str]  # this page's URL name (an export with invalid filters comes back here)
    export_url_name: ClassVar[str | None] = None  # the export's URL name; it takes the file format
    fragment_name: ClassVar[str | None] = "results"  # the {% partialdef %} htmx gets, None for the whole page
    results_id: ClassVar[str] = "list-results"  # the id of the element the fragment replaces
    rows_name: ClassVar[str | None] = None  # a second name for the page's rows in the template ("cases")
    page_size: ClassVar[int] = 25
    unfiltered_keys: ClassVar[tuple[str, ...]] = ("page",)  # parameters that do not count as filters
    hidden_filter_fields: ClassVar[tuple[str, ...]] = ()  # filters kept as hidden inputs (the sort order)
    wide_filter_fields: ClassVar[tuple[str, ...]] = ("q",)  # filters given half the form's width
    clear_query: ClassVar[str] = ""  # the query of the "Clear" link (e.g. "street=" to drop a default)

    def rows(self) -> QuerySet:
        """Everything the user may see on this list, in the list's order, before the filters."""
        raise NotImplementedError

    def filter_data(self) -> QueryDict:
        """The filters to apply: the query string; a list may add defaults (e.g. the user's own street)."""
        return self.request.GET

    def decorate(self, rows: list[Any]) -> None:
        """Add what the template shows per row and the user may see (e.g. a phone masked or not)."""

    def get_page_size(self) -> int:
        return self.page_size

    def filtered(self) -> tuple[Any, QuerySet, bool]:
        """The FilterSet, the rows it lets through (none when the filters are invalid) and whether they are valid."""
        rows = self.rows()
        filterset = self.filterset_class(self.filter_data() or None, queryset=rows, request=self.request)
        valid = not filterset.is_bound or filterset.is_valid()
        return filterset, (filterset.qs if valid else rows.none()), valid

    def wants_fragment(self) -> bool:
        """Whether to answer with the results fragment only: htmx asked, and not to restore its history."""
        return (
            self.fragment_name is not None
            and is_htmx(self.request)
            and self.request.headers.get("HX-History-Restore-Request") != "true"
        )

    def get_template_names(self) -> list[str]:
        if self.wants_fragment():
            return [f"{self.template_name}#{self.fragment_name}"]
        return [self.template_name]

    def get_context_data(self, *, filterset: Any, page: Any) -> dict[str, Any]:
        data = QueryDict(mutable=True)
        data.update(filterset.data)  # the filters as applied, defaults included
        export_query = data.copy()
        export_query.pop("page", None)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "rows": page.object_list,
            "export_formats": EXPORT_FORMATS,
            "export_url": reverse(self.export_url_name, args=["csv"])[: -len("csv")] if self.export_url_name else None,
            "export_query": export_query.urlencode(),
            "filters_applied": any(value for key, value in data.items() if key not in self.unfiltered_keys),
            "results_id": self.results_id,
            "fragment": self.wants_fragment(),
            "hidden_filters": [(name, self.request.GET.get(name, "")) for name in self.hidden_filter_fields],
            "hidden_filter_names": self.hidden_filter_fields,
            "wide_filter_fields": self.wide_filter_fields,
            "clear_url": f"{self.request.path}?{self.clear_query}" if self.clear_query else self.request.path,
        }
        if self.rows_name:
            context[self.rows_name] = page.object_list
        return context

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        filterset, rows, valid = self.filtered()
        page = Paginator(rows, self.get_page_size()).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
        self.decorate(page.object_list)
        context = self.get_context_data(filterset=filterset, page=page)
        response = render(request, self.get_template_names(), context, status=200 if valid else 400)
        if self.wants_fragment() and not valid:
            # The errors are shown beside the fields, outside the fragment: htmx loads the whole page instead.
            response["HX-Redirect"] = request.get_full_path()
        if self.fragment_name is not None:
            patch_vary_headers(response, ["HX-Request"])
        return response


class FilteredExportView(View):
    """The rows of a FilteredListView, with the same filters, as CSV or XLSX."""

    list_view: ClassVar[type[FilteredListView]]
    filename: ClassVar[str | Promise]

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def export(self, rows: QuerySet, file_format: str) -> HttpResponse:
        """The file: the columns of every row (a list may hand its rows to its own export instead)."""
        return export_response(
            rows=rows.iterator(chunk_size=EXPORT_CHUNK_SIZE),
            columns=self.columns(),
            filename=self.filename,
            file_format=file_format,
        )

    def get(self, request: HttpRequest, file_format: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        lister = self.list_view()
        lister.setup(request, *args, **kwargs)
        _filterset, rows, valid = lister.filtered()
        if not valid:
            messages.error(request, _("Correct the filters before exporting."))
            return HttpResponseRedirect(f"{reverse(lister.list_url_name)}?{request.GET.urlencode()}")
        return self.export(rows, file_format)
