"""The cases API (/api/v1/cases/ …) and its reference data: thin callers of workflow, permissions and queries."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from cases import workflow
from cases.api.serializers import (
    ACTION_SERIALIZERS,
    ActionSerializer,
    CampaignSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseSerializer,
    CategorySerializer,
    EventSerializer,
    MetricSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    TallyEntrySerializer,
)
from cases.filters import CaseFilterSet, TallyFilterSet
from cases.idempotency import create_once, perform_once, previous_outcome, request_fingerprint
from cases.models import Campaign, Case, CaseEvent, Category, Metric, TallyEntry
from cases.permissions import ACTION_RULES, check_action
from cases.queries import case_rows, visible_to
from communities.roles import sees_everything
from core.api import ErrorSerializer
from core.pagination import CasePagination, StandardPagination

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="validation_error: the body is wrong (see `fields`)."),
    401: OpenApiResponse(ErrorSerializer, description="not_authenticated: no or a wrong token or session."),
    403: OpenApiResponse(ErrorSerializer, description="forbidden: you may see the case but not do this."),
    404: OpenApiResponse(ErrorSerializer, description="not_found: no such case, or you may not see it."),
    409: OpenApiResponse(
        ErrorSerializer,
        description="invalid_state: the case is not in a state that allows this (also the loser of a race); "
        "conflict: someone else is changing it right now.",
    ),
    429: OpenApiResponse(ErrorSerializer, description="throttled: too many requests; retry after `Retry-After`."),
}


IDEMPOTENCY_MISMATCH = OpenApiResponse(
    ErrorSerializer, description="idempotency_mismatch: the key was used before with another body."
)


def errors(*statuses: int) -> dict:
    return {status: ERRORS[status] for status in statuses}


class CaseApiFilterSet(CaseFilterSet):
    """The page's case filters; the API sorts with `ordering` on its cursor instead."""

    ordering = None


@extend_schema_view(
    list=extend_schema(summary="Cases you may see", responses={200: CaseSerializer, **errors(400, 401, 429)}),
    retrieve=extend_schema(summary="One case", responses={200: CaseDetailSerializer, **errors(401, 404)}),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases, addressed by their number (SH-2026-000123). Visibility as DESIGN.md §4: an invisible case is 404."""

    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z0-9-]+"
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = CaseApiFilterSet
    ordering_fields = ["created_at", "updated_at", "number"]
    ordering = ["-created_at"]
    pagination_class = CasePagination
    serializer_class = CaseSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> QuerySet[Case]:
        return case_rows(self.request.user)

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action != "list" else CaseSerializer

    def case_response(self, case: Case, status: int = 200) -> Response:
        """The case as it is now, with the caller's allowed actions."""
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(CaseDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status)

    @extend_schema(
        summary="File a case",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **errors(400, 401, 403, 429)}
        | {
            422: OpenApiResponse(
                ErrorSerializer, description="idempotency_mismatch: the key was used with another body."
            )
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retrying with the same key and body returns the case the first request created.",
            )
        ],
    )
    def create(self, request: Request) -> Response:
        serializer = CaseCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        def create() -> Case:
            return workflow.create_case(request.user, **serializer.workflow_kwargs())

        key = request.headers.get("Idempotency-Key")
        if key is None:
            return self.case_response(create(), status=201)
        case, replayed = create_once(request.user, key, request_fingerprint(request.data), create)
        response = self.case_response(case, status=201)
        return replayed_response(response) if replayed else response

    @extend_schema(summary="The case's timeline", responses={200: EventSerializer(many=True), **errors(401, 404)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=StandardPagination)
    def events(self, request: Request, number: str | None = None) -> Response:
        case = self.get_object()
        events = (
            CaseEvent.objects.filter(case=case)
            .select_related("actor")
            .prefetch_related("photos")
            .order_by("created_at", "pk")
        )
        page = self.paginate_queryset(events)
        return self.get_paginated_response(EventSerializer(page, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"],
        summary="The case's photos",
        responses={200: PhotoSerializer(many=True), **errors(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Upload photos of the case (multipart)",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer(many=True), **errors(400, 401, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        filter_backends=[],
        pagination_class=StandardPagination,
        parser_classes=[MultiPartParser, FormParser],
    )
    def photos(self, request: Request, number: str | None = None) -> Response:
        case = self.get_object()
        photos = case.photos.select_related("uploaded_by", "case").order_by("uploaded_at", "pk")
        if request.method == "POST":
            check_action(request.user, "add_photos", case)
            upload = PhotoUploadSerializer(data=_files_as_list(request, "photos"))
            upload.is_valid(raise_exception=True)
            earlier = list(photos.values_list("pk", flat=True))
            workflow.add_photos(request.user, case, **upload.workflow_kwargs())
            photos = photos.exclude(pk__in=earlier)
        page = self.paginate_queryset(photos)
        response = self.get_paginated_response(
            PhotoSerializer(page, many=True, context=self.get_serializer_context()).data
        )
        if request.method == "POST":
            response.status_code = 201
        return response

    @extend_schema(
        summary="A photo's file (JPEG, PNG or WebP)",
        parameters=[OpenApiParameter("size", str, enum=["full", "thumbnail"], description="thumbnail: a small copy.")],
        responses={(200, "image/*"): OpenApiTypes.BINARY, **errors(401, 404)},
    )
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>[0-9]{1,18})", filter_backends=[])
    def photo_file(self, request: Request, number: str | None = None, photo_id: str | None = None) -> FileResponse:
        case = self.get_object()
        photo = case.photos.filter(pk=int(photo_id)).first()
        if photo is None:
            raise NotFound(_("There is no such photo of this case."))
        file = photo.thumbnail if request.query_params.get("size") == "thumbnail" and photo.thumbnail else photo.image
        try:
            response = FileResponse(file.open("rb"))
        except FileNotFoundError as error:
            raise NotFound(_("There is no such photo of this case.")) from error
        response["Cache-Control"] = "private, max-age=86400"
        return response


def replayed_response(response: Response) -> Response:
    """The answer to a retry: the first request's outcome, marked as replayed."""
    response["Idempotent-Replayed"] = "true"
    return response


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Retrying with the same key and body answers with the outcome of the first request; "
    "the action is not done twice.",
)


def _files_as_list(request: Request, name: str) -> dict:
    """The request's data with every file under `name` as a list (multipart repeats the key)."""
    data = {key: request.data.get(key) for key in request.data if key != name}
    data[name] = request.FILES.getlist(name)
    return data


def _action_endpoint(name: str, serializer_class: type[ActionSerializer]) -> Callable:
    """POST cases/{number}/{name}/: check the caller may act, parse the body, run the workflow action."""

    def endpoint(self: CaseViewSet, request: Request, number: str | None = None) -> Response:
        case = self.get_object()
        data = _files_as_list(request, "photos") if name == "resolve" and request.FILES else request.data
        key = request.headers.get("Idempotency-Key")
        fingerprint = request_fingerprint({"path": request.path, "body": data})
        # A retry is answered before the checks: after the first request the action is no longer allowed.
        previous = previous_outcome(request.user, key, fingerprint) if key is not None else None
        if previous is not None:
            return replayed_response(self.case_response(previous.case))
        # Whether the caller may act comes first: a body error on an action they cannot take helps no one.
        check_action(request.user, name, case)
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)

        def perform() -> Case:
            return workflow.ACTIONS[name](request.user, case, **serializer.workflow_kwargs())

        if key is None:
            return self.case_response(perform())
        record, replayed = perform_once(request.user, key, fingerprint, perform)
        response = self.case_response(record.case)
        return replayed_response(response) if replayed else response

    # Named do_<action>: a method called `dispatch` would replace the view's own dispatch().
    endpoint.__name__ = f"do_{name}"
    endpoint.__doc__ = f"POST the `{name}` action (DESIGN.md §3) on the case; answers with the case."
    rule = ACTION_RULES[name]
    endpoint = action(
        detail=True,
        methods=["post"],
        url_path=name,
        url_name=name.replace("_", "-"),
        filter_backends=[],
        pagination_class=None,
        serializer_class=serializer_class,
    )(endpoint)
    return extend_schema(
        summary=str(rule.name).capitalize(),
        description=f"Allowed from the states: {', '.join(rule.states)}; for the roles: {', '.join(rule.roles)}.",
        request=serializer_class,
        responses={200: CaseDetailSerializer, **errors(400, 401, 403, 404, 409, 429), 422: IDEMPOTENCY_MISMATCH},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        filters=False,
    )(endpoint)


for _name, _serializer in ACTION_SERIALIZERS.items():
    setattr(CaseViewSet, f"do_{_name}", _action_endpoint(_name, _serializer))


# --- reference data (read-only) ------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="Problem categories"), retrieve=extend_schema(summary="A category"))
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Problem categories with their campaign, default department, deadlines and tally metrics."""

    queryset = (
        Category.objects.select_related("campaign").prefetch_related("metrics").order_by("campaign__order", "code")
    )
    serializer_class = CategorySerializer
    lookup_field = "code"
    filterset_fields = ["campaign__slug", "default_department", "is_active"]


@extend_schema_view(list=extend_schema(summary="Campaigns"), retrieve=extend_schema(summary="A campaign"))
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """The special campaigns (专项整治) of each drive."""

    queryset = Campaign.objects.select_related("drive").order_by("-drive__starts_on", "order")
    serializer_class = CampaignSerializer
    lookup_field = "slug"
    filterset_fields = ["drive__slug"]


@extend_schema_view(list=extend_schema(summary="Tally metrics"), retrieve=extend_schema(summary="A metric"))
class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """What the tally (工作量盘点) counts, with units."""

    queryset = Metric.objects.order_by("order", "code")
    serializer_class = MetricSerializer
    lookup_field = "code"


@extend_schema_view(list=extend_schema(summary="Tally entries"), retrieve=extend_schema(summary="A tally entry"))
class TallyEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Work counted from resolved cases and volunteer activities; voided entries (rework) are marked."""

    serializer_class = TallyEntrySerializer
    filterset_class = TallyFilterSet

    def get_queryset(self) -> QuerySet[TallyEntry]:
        # Entries of a case are the case's facts: only those of cases the caller may see (and all activities').
        # Whoever sees every case sees every entry: no semi-join over the whole case table (it ran for minutes).
        entries = TallyEntry.objects.select_related("metric", "campaign", "case").order_by("-date", "id")
        if sees_everything(self.request.user):
            return entries
        return entries.filter(Q(case__isnull=True) | Q(case__in=visible_to(self.request.user).values("pk")))
