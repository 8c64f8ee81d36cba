"""Import pages: upload a volunteers or participants file, follow its check, read its error report, get templates.

Views only parse the upload and render; reading, checking and saving live in volunteers/imports.py.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from communities.choices import Role
from communities.roles import AnyUser, role_of
from core.errors import DomainError
from core.exports import EXPORT_FORMATS, Column, export_response
from core.forms import style_fields
from core.htmx import is_htmx
from core.tabular import IMPORT_FORMATS
from volunteers.choices import ImportKind, ImportStatus
from volunteers.import_rows import COLUMNS, template_headers
from volunteers.imports import create_import, is_stale
from volunteers.models import Activity, ImportJob
from volunteers.permissions import can_manage_activity, can_manage_any, managed_communities
from volunteers.services import hours_limit

PAGE_SIZE = 25
ERRORS_PAGE_SIZE = 100

# What staff should write in each column, shown next to the upload form.
COLUMN_HELP = {
    (ImportKind.VOLUNTEERS, "name"): gettext_lazy("Full name."),
    (ImportKind.VOLUNTEERS, "phone"): gettext_lazy(
        "Mobile number of 11 digits. A phone already registered updates that volunteer; a new one registers them."
    ),
    (ImportKind.VOLUNTEERS, "community"): gettext_lazy(
        "Community name (write street/community when two streets have a community of that name). "
        "May be left empty when you choose a default community below."
    ),
    (ImportKind.VOLUNTEERS, "is_party_member"): gettext_lazy("是 or 否 (yes or no); empty means no."),
    (ImportKind.VOLUNTEERS, "branch"): gettext_lazy("Name of the party branch, for party members only."),
    (ImportKind.VOLUNTEERS, "skills"): gettext_lazy("Optional."),
    (ImportKind.VOLUNTEERS, "joined_on"): gettext_lazy("Optional date, e.g. 2021-08-24 or 2021/8/24."),
    (ImportKind.PARTICIPANTS, "name"): gettext_lazy("Full name; it must match the name registered with the phone."),
    (ImportKind.PARTICIPANTS, "phone"): gettext_lazy(
        "Mobile number. An unknown phone registers a new volunteer in the activity's community."
    ),
    (ImportKind.PARTICIPANTS, "hours"): gettext_lazy(
        "Hours served, in half hours (e.g. 2 or 2.5), at most as long as the activity."
    ),
    (ImportKind.PARTICIPANTS, "is_party_member"): gettext_lazy(
        "Optional, 是 or 否: used when the row registers a new volunteer."
    ),
}


def visible_imports(user: AnyUser) -> QuerySet[ImportJob]:
    """The imports a user may see: their own uploads; administrators see all."""
    jobs = ImportJob.objects.select_related("created_by", "activity", "community")
    if role_of(user) == Role.ADMIN:
        return jobs
    return jobs.filter(created_by_id=user.pk)


class ImportUploadForm(forms.Form):
    """The file to import and, for volunteers, the community of rows that leave it empty."""

    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A .csv or .xlsx file with a header row, as in the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{fmt}" for fmt in IMPORT_FORMATS)}),
    )
    community = forms.ModelChoiceField(
        label=gettext_lazy("Default community"),
        help_text=gettext_lazy("Used for the rows whose community cell is empty."),
        queryset=None,
        required=False,
    )

    def __init__(self, *args: Any, user: AnyUser, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == ImportKind.VOLUNTEERS:
            self.fields["community"].queryset = managed_communities(user)
        else:
            del self.fields["community"]
        style_fields(self)

    def clean_file(self) -> Any:
        """Refuse an oversized file before it is stored (the import checks the format itself)."""
        upload = self.cleaned_data["file"]
        limit = settings.VOLUNTEER_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; split it into smaller files.")
                % {"limit": limit // (1024 * 1024)}
            )
        return upload


def _column_help(kind: str) -> list[dict[str, Any]]:
    return [
        {"header": column.label(), "required": column.required, "help": COLUMN_HELP.get((kind, column.key), "")}
        for column in COLUMNS[kind]
    ]


def _upload_page(
    request: HttpRequest, kind: str, *, activity: Activity | None = None, form: ImportUploadForm | None = None
) -> HttpResponse:
    form = form or ImportUploadForm(user=request.user, kind=kind)
    context = {
        "kind": kind,
        "activity": activity,
        "form": form,
        "columns": _column_help(kind),
        "template_formats": EXPORT_FORMATS,
        "max_rows": settings.VOLUNTEER_IMPORT_MAX_ROWS,
        "max_megabytes": settings.VOLUNTEER_IMPORT_MAX_BYTES // (1024 * 1024),
        "hours_limit": hours_limit(activity.starts_at, activity.ends_at).normalize() if activity else None,
    }
    return render(request, "volunteers/import_form.html", context, status=400 if form.is_bound else 200)


def _upload(request: HttpRequest, kind: str, *, activity: Activity | None = None) -> HttpResponse:
    form = ImportUploadForm(request.POST, request.FILES, user=request.user, kind=kind)
    if form.is_valid():
        try:
            job = create_import(
                request.user,
                kind=kind,
                upload=form.cleaned_data["file"],
                activity=activity,
                community=form.cleaned_data.get("community"),
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
        else:
            return redirect("volunteers:import_detail", pk=job.pk)
    return _upload_page(request, kind, activity=activity, form=form)


class VolunteerImportView(LoginRequiredMixin, View):
    """Upload a list of volunteers (street staff for their street's communities, administrators)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_manage_any(request.user):
            messages.error(request, _("Your role cannot import volunteers. Ask the street office to do it."))
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return _upload_page(request, ImportKind.VOLUNTEERS)

    def post(self, request: HttpRequest) -> HttpResponse:
        return _upload(request, ImportKind.VOLUNTEERS)


class ParticipantImportView(LoginRequiredMixin, View):
    """Upload the participants of one activity and their hours (the staff of its street)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.activity = get_object_or_404(Activity.objects.select_related("community__street"), pk=kwargs["pk"])
        if not can_manage_activity(request.user, self.activity):
            messages.error(request, _("Only the staff of the activity's street may import its participants."))
            return redirect("volunteers:activity_detail", pk=self.activity.pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _upload_page(request, ImportKind.PARTICIPANTS, activity=self.activity)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _upload(request, ImportKind.PARTICIPANTS, activity=self.activity)


class ImportListView(LoginRequiredMixin, View):
    """The user's uploads, newest first (administrators: everyone's)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(visible_imports(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page_obj": page,
            "jobs": page.object_list,
            "can_upload": can_manage_any(request.user),
            "is_admin": role_of(request.user) == Role.ADMIN,
        }
        return render(request, "volunteers/import_list.html", context)


class ImportDetailView(LoginRequiredMixin, View):
    """One import: progress while it runs (htmx refreshes the status), then its result or error report."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = get_object_or_404(visible_imports(request.user), pk=pk)
        stale = is_stale(job)
        errors = Paginator(job.errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "job": job,
            "stale": stale,
            # A stalled job is put back in the queue by the worker's schedule: keep following it.
            "polling": job.is_running,
            "statuses": ImportStatus,
            "page_obj": errors,
            "errors": errors.object_list,
            "export_formats": EXPORT_FORMATS,
            "unchanged": max(0, job.total_rows - job.created_count - job.updated_count),
            "result_url": import_result_url(job),
        }
        template = "volunteers/import_detail.html#status" if is_htmx(request) else "volunteers/import_detail.html"
        return render(request, template, context)


class ImportErrorsView(LoginRequiredMixin, View):
    """An import's error report as a CSV or XLSX file (row, column, problem)."""

    def get(self, request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
        if file_format not in EXPORT_FORMATS:
            raise Http404
        job = get_object_or_404(visible_imports(request.user), pk=pk)
        columns = [
            Column(gettext_lazy("Row"), itemgetter("row")),
            Column(gettext_lazy("Column"), itemgetter("column")),
            Column(gettext_lazy("Problem"), itemgetter("message"), width=60),
        ]
        return export_response(
            rows=job.errors, columns=columns, filename=gettext_lazy("Import errors"), file_format=file_format
        )


TEMPLATE_NAMES = {
    ImportKind.VOLUNTEERS: gettext_lazy("Volunteer import template"),
    ImportKind.PARTICIPANTS: gettext_lazy("Participant import template"),
}


class ImportTemplateView(LoginRequiredMixin, View):
    """A header-only CSV or XLSX file for an import, headers in the current language."""

    def get(self, request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
        if kind not in COLUMNS or file_format not in EXPORT_FORMATS:
            raise Http404
        columns = [Column(header, lambda row: None) for header in template_headers(kind)]
        return export_response(rows=[], columns=columns, filename=TEMPLATE_NAMES[kind], file_format=file_format)


def import_result_url(job: ImportJob) -> str:
    """Where the imported rows can be seen: the activity, or the volunteer list."""
    if job.kind == ImportKind.PARTICIPANTS and job.activity_id:
        return reverse("volunteers:activity_detail", args=[job.activity_id])
    return reverse("volunteers:volunteer_list")
