"""Case pages: list and exports, intake, the case page with its action forms, photos, the department inbox.

Views only parse, call workflow/permissions/queries and render; no rule lives here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from cases import workflow
from cases.choices import PhotoStage
from cases.exports import case_export_response
from cases.figures import FIGURE_SETS
from cases.filters import CaseFilterSet
from cases.forms import ACTION_FORM_ORDER, ACTION_FORMS, FORM_TOKEN_FIELD, ActionForm, CaseCreateForm
from cases.idempotency import IdempotencyMismatch, perform_once, previous_outcome, request_fingerprint
from cases.models import Case, CaseEvent, Category, Metric, Photo
from cases.permissions import (
    ACTION_RULES,
    allowed_actions,
    can_file_cases,
    can_take_on_visible,
    can_view,
    check_action,
    has_department_inbox,
    lead_assignment,
    reporter_phone_for,
)
from cases.queries import (
    awaiting_report_in,
    case_rows,
    deferral_register,
    department_inbox,
    in_hand,
    possible_duplicates,
    visible_to,
    with_overdue,
)
from core import clock
from core.errors import DomainError, InvalidInput, NotFound
from core.forms import parse_id
from core.htmx import is_htmx
from core.views import FilteredExportView, FilteredListView

PAGE_SIZE = 25


# --- sending a form once ----------------------------------------------------------------------
# Every form that files or acts carries a one-time token (FORM_TOKEN_FIELD, drawn by {% form_token %}); the
# token is the request's idempotency key (cases/idempotency.py, the API's Idempotency-Key rule): the same form
# sent twice (a double tap, a retry on a patchy connection) is answered with the outcome of the first.


def _form_key(request: HttpRequest) -> str | None:
    token = request.POST.get(FORM_TOKEN_FIELD, "").strip()
    return f"form:{token}" if token else None


def _form_fingerprint(request: HttpRequest) -> str:
    fields = {
        key: values for key, values in request.POST.lists() if key not in ("csrfmiddlewaretoken", FORM_TOKEN_FIELD)
    }
    files = {key: [f"{upload.name}:{upload.size}" for upload in uploads] for key, uploads in request.FILES.lists()}
    return request_fingerprint({"path": request.path, "fields": fields, "files": files})


def _previous_outcome(request: HttpRequest):
    """What this form's token produced before, or None (raises IdempotencyMismatch for other content)."""
    key = _form_key(request)
    return previous_outcome(request.user, key, _form_fingerprint(request)) if key else None


def _once(request: HttpRequest, perform) -> Case:
    """Perform the form's action once per token (without a token, every time)."""
    key = _form_key(request)
    if key is None:
        return perform()
    record, _replayed = perform_once(request.user, key, _form_fingerprint(request), perform)
    return record.case


FORM_SENT_BEFORE = _("This form was already sent with different content, so nothing was done this time.")


class CaseListView(LoginRequiredMixin, FilteredListView):
    """All cases the user may see, filtered, sorted and paginated; exports take the same filters."""

    filterset_class = CaseFilterSet
    template_name = "cases/case_list.html"
    list_url_name = "cases:case_list"
    export_url_name = "cases:case_export"
    results_id = "case-results"
    rows_name = "cases"
    unfiltered_keys = ("page", "ordering")
    hidden_filter_fields = ("ordering",)
    wide_filter_fields = ("q", "state")
    page_size = PAGE_SIZE

    def rows(self) -> QuerySet[Case]:
        return case_rows(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        filterset = kwargs["filterset"]
        figure = filterset.form.cleaned_data.get("figure") if filterset.is_valid() else None
        return {
            **super().get_context_data(**kwargs),
            "ordering": self.request.GET.get("ordering", ""),
            "figure_label": FIGURE_SETS.get(figure) if figure else None,
            "summonses": filterset.summonses,
        }


class CaseExportView(LoginRequiredMixin, FilteredExportView):
    """The filtered case list as a CSV or XLSX file."""

    list_view = CaseListView

    def export(self, rows: QuerySet[Case], file_format: str) -> HttpResponse:
        return case_export_response(self.request.user, rows, file_format)


class CaseCreateView(LoginRequiredMixin, View):
    """Intake: file a case (street staff, road chiefs, leaders); a road chief may blow the whistle at once."""

    template_name = "cases/case_create.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_file_cases(request.user):
            messages.error(request, _("Your role cannot file cases. Tell the street office about the problem."))
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        fragment = request.GET.get("fragment")
        if is_htmx(request) and fragment == "places":
            form = CaseCreateForm(initial=request.GET.dict(), user=request.user)
            return render(request, "cases/case_create.html#places", {"form": form})
        if is_htmx(request) and fragment == "duplicates":
            return render(request, "cases/case_create.html#duplicates", {"duplicates": self.duplicates(request.GET)})
        form = CaseCreateForm(initial=self.initial(request), user=request.user)
        return render(request, self.template_name, {"form": form, "duplicates": []})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CaseCreateForm(request.POST, request.FILES, user=request.user)
        try:
            previous = _previous_outcome(request)
            if previous is not None:  # the same form sent again: the case it filed
                return self.filed(request, previous.case)
            if form.is_valid():
                case = _once(request, lambda: workflow.create_case(request.user, **form.case_kwargs()))
                return self.filed(request, case)
        except IdempotencyMismatch as error:
            form.is_valid()
            form.add_error(None, self.sent_before(error))
            context = {"form": form, "duplicates": self.duplicates(request.POST)}
            return render(request, self.template_name, context, status=422)
        except DomainError as error:
            form.add_workflow_error(error)
        context = {"form": form, "duplicates": self.duplicates(request.POST)}
        return render(request, self.template_name, context, status=400)

    @staticmethod
    def filed(request: HttpRequest, case: Case) -> HttpResponse:
        """Where a filed case leads (the same for the form sent again)."""
        messages.success(request, _("Case %(number)s has been filed.") % {"number": case.number})
        if case.whistle:
            messages.success(request, _("Whistle blown: the departments must report in."))
        return redirect("cases:case_detail", number=case.number)

    def sent_before(self, error: IdempotencyMismatch) -> str:
        """The refusal of a form sent again with other content, naming the case it filed the first time."""
        case = error.record.case if error.record is not None else None
        if case is not None and can_view(self.request.user, case):
            return _(
                "This form already filed case %(number)s; nothing more was filed. "
                "To file another case, send the form below again."
            ) % {"number": case.number}
        return FORM_SENT_BEFORE

    @staticmethod
    def initial(request: HttpRequest) -> dict[str, Any]:
        # A link may preselect the place or category (e.g. from a community page).
        return {key: request.GET[key] for key in ("category", "street", "community", "road") if key in request.GET}

    def duplicates(self, values) -> list[Case]:
        """Open cases that may be the same problem (same category, same community or nearby, recent)."""
        form = CaseCreateForm(initial=values.dict(), user=self.request.user)
        community = form.fields["community"].queryset.filter(pk=parse_id(values.get("community"))).first()
        road = form.fields["road"].queryset.filter(pk=parse_id(values.get("road"))).first()
        category = Category.objects.filter(code=values.get("category") or "", is_active=True).first()
        if (community is None and road is None) or category is None:
            return []
        latitude, longitude = _decimal(values.get("latitude")), _decimal(values.get("longitude"))
        if latitude is None or longitude is None:
            latitude = longitude = None
        return possible_duplicates(category, community, latitude, longitude, road=road, user=self.request.user)


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def visible_case_or_404(user, number: str) -> Case:
    """The case with this number if the user may see it; a 404 otherwise (existence is not revealed)."""
    cases = Case.objects.select_related(
        "category",
        "category__default_department",
        "campaign",
        "street",
        "community",
        "compound",
        "road",
        "road__road_chief",
        "frontage_unit",
        "created_by",
        "duplicate_of",
    ).prefetch_related("assignments")
    case = with_overdue(visible_to(user, cases)).filter(number=number).first()
    if case is None:
        raise Http404
    return case


def case_page(request: HttpRequest, case: Case, *, bound: ActionForm | None = None, status: int = 200) -> HttpResponse:
    """Render the case page; `bound` is a submitted action form to show again with its errors."""
    user = request.user
    actions = allowed_actions(user, case)
    forms = {}
    for action in actions:
        if bound is not None and bound.action == action:
            forms[action] = bound
        else:
            forms[action] = ACTION_FORMS[action](case=case, user=user)
    assignments = case.assignments.select_related("department", "reported_in_by").order_by("assigned_at", "pk")
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("actor", "actor__staff_profile")
        .prefetch_related("photos")
        .order_by("created_at", "pk")
    )
    photos = list(case.photos.order_by("uploaded_at", "pk"))
    context = {
        "case": case,
        "now": clock.now(),
        "assignments": assignments,
        "events": events,
        "photos_before": [photo for photo in photos if photo.stage == PhotoStage.BEFORE],
        "photos_after": [photo for photo in photos if photo.stage == PhotoStage.AFTER],
        "photos_other": [photo for photo in photos if photo.stage == PhotoStage.OTHER],
        "reporter_phone": reporter_phone_for(user, case),
        "forms": forms,
        "workflow_forms": [forms[action] for action in ACTION_FORM_ORDER if action in forms and action != "comment"],
        "comment_form": forms.get("comment"),
        "metrics": {metric.code: metric for metric in Metric.objects.all()},
        # The other way round from duplicate_of: the cases rejected as repeats of this one.
        "duplicates": visible_to(user, case.duplicates.select_related("street")).order_by("created_at", "pk"),
        "duplicate_candidates": possible_duplicates(
            case.category, case.community, case.latitude, case.longitude, road=case.road, exclude=case, user=user
        )
        if "reject" in actions
        else [],
    }
    return render(request, "cases/case_detail.html", context, status=status)


class CaseDetailView(LoginRequiredMixin, View):
    """One case: facts, photos, departments, timeline and the actions the user may take."""

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        return case_page(request, visible_case_or_404(request.user, number))


class CaseActionView(LoginRequiredMixin, View):
    """POST one workflow action from the case page; refusals come back as messages on the page."""

    def get(self, request: HttpRequest, number: str, action: str) -> HttpResponse:
        # Reached by reloading or switching language after a form error: show the case page instead.
        return HttpResponseRedirect(reverse("cases:case_detail", args=[number]) + f"#action-{action}")

    def post(self, request: HttpRequest, number: str, action: str) -> HttpResponse:
        form_class = ACTION_FORMS.get(action)
        if form_class is None:
            raise Http404
        case = visible_case_or_404(request.user, number)
        form = None
        try:
            # The same form sent again is answered first: after the first request the action is no longer allowed.
            if _previous_outcome(request) is not None:
                return self.done(request, number, action)
            # Whether the user may act at all comes first: input errors on a form they cannot use help no one.
            check_action(request.user, action, case)
            form = form_class(request.POST, request.FILES, case=case, user=request.user)
            if not form.is_valid():
                messages.error(request, _("Please correct the marked fields."))
                return case_page(request, case, bound=form, status=400)
            _once(request, lambda: workflow.ACTIONS[action](request.user, case, **form.workflow_kwargs()))
        except NotFound as error:
            raise Http404 from error
        except IdempotencyMismatch:
            messages.error(request, FORM_SENT_BEFORE)
            return redirect("cases:case_detail", number=number)
        except InvalidInput as error:
            if form is None:  # the token itself is wrong
                messages.error(request, str(error))
                return redirect("cases:case_detail", number=number)
            form.add_workflow_error(error)
            messages.error(request, str(error))
            return case_page(request, case, bound=form, status=400)
        except DomainError as error:
            # The state or the user's part changed (or never allowed it): show why on the fresh page.
            messages.error(request, str(error))
            return redirect("cases:case_detail", number=number)
        return self.done(request, number, action)

    @staticmethod
    def done(request: HttpRequest, number: str, action: str) -> HttpResponse:
        """Where a done action leads (the same for the form sent again): the timeline, or the page it came from."""
        messages.success(request, _("Done: %(action)s.") % {"action": ACTION_RULES[action].name})
        back = request.POST.get("next", "")
        if back.startswith("/") and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(back)
        return HttpResponseRedirect(reverse("cases:case_detail", args=[number]) + "#timeline")


class PhotoView(LoginRequiredMixin, View):
    """A case photo (or its thumbnail), only for users who may see the case."""

    def get(self, request: HttpRequest, pk: int, size: str = "full") -> FileResponse:
        photo = get_object_or_404(Photo.objects.select_related("case"), pk=pk)
        if not can_view(request.user, photo.case):
            raise Http404
        file = photo.thumbnail if size == "thumbnail" and photo.thumbnail else photo.image
        try:
            handle = file.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        response = FileResponse(handle)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class InboxView(LoginRequiredMixin, View):
    """A department officer's inbox: what to report in on (with the time left) and what is in hand."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not has_department_inbox(request.user):
            messages.info(request, _("The inbox is for department officers; here are the cases you may see."))
            return redirect("cases:case_list")
        department = request.user.staff_profile.department
        parts = department_inbox(department.pk)
        waiting_parts = awaiting_report_in(parts).prefetch_related("case__assignments")
        waiting = Paginator(waiting_parts, PAGE_SIZE).get_page(request.GET.get("waiting_page"))
        for part in waiting:
            # The inline 报到 button, by the same rule as the case page's (the inbox lists only visible cases).
            part.can_report_in = can_take_on_visible(request.user, "report_in", part.case)
        context = {
            "department": department,
            "waiting": waiting,
            "in_hand": Paginator(in_hand(parts), PAGE_SIZE).get_page(request.GET.get("page")),
            "now": clock.now(),
        }
        return render(request, "cases/inbox.html", context)


class DeferralRegisterView(LoginRequiredMixin, View):
    """The register of deferred cases (缓办/挂账台账): each with its plan and the date it comes back."""

    def get(self, request: HttpRequest) -> HttpResponse:
        cases = list(deferral_register(request.user))
        for case in cases:
            case.lead = lead_assignment(case)
        context = {
            "deferred": [case for case in cases if case.is_deferred],
            "pending": [case for case in cases if case.deferral_pending],
        }
        return render(request, "cases/case_deferred.html", context)
