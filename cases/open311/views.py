"""The Open311 GeoReport v2 endpoints: thin DRF views that answer in the spec's JSON or XML.

No session, CSRF or sign-in: outside systems call these. Reading is public (the anonymous
throttle applies); posting needs an `api_key` (cases/open311/intake.py) and has its own throttle
scope, `open311_post`. Every refusal is the spec's error list with status 400, 403, 404, 405 or
429 — never the /api/v1/ error format and never a 500 for bad input.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from cases.models import Case
from cases.open311 import documents
from cases.open311.intake import clean_text, create_request
from cases.open311.renderers import FORMATS, JSON, XML, Open311Error, error_response, render
from core.errors import DomainError
from core.parsers import SafeJSONParser

MAX_RESULTS = 1000  # requests.json answers at most this many requests, newest first
DEFAULT_WINDOW = datetime.timedelta(days=90)  # the spec's default range of requested_datetime
# "…T22:04:00+08:00" in a query string whose "+" was not encoded arrives as "…T22:04:00 08:00".
UNENCODED_PLUS = re.compile(r" (\d{2}(?::?\d{2})?)$")


def _format_of(fmt: str) -> str:
    return fmt.lower() if fmt and fmt.lower() in FORMATS else ""


class Open311View(APIView):
    """What every endpoint shares: format by extension, no authentication, Open311 errors."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    parser_classes = [FormParser, MultiPartParser, SafeJSONParser]
    renderer_classes = [JSONRenderer]
    http_method_names = ["get", "head"]
    schema = None  # not part of /api/v1/'s OpenAPI document
    fmt = JSON

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.fmt = _format_of(kwargs.get("fmt", "")) or JSON  # an unknown format's error comes in JSON
        if not _format_of(kwargs.get("fmt", "")):
            raise Open311Error(404, _("Unknown format: use .json or .xml."))
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # The format is the URL's extension, whatever the Accept header says.
        return JSONRenderer(), JSONRenderer.media_type

    def handle_exception(self, exc: Exception) -> HttpResponse:
        fmt = self.fmt
        if isinstance(exc, Open311Error):
            return error_response(exc.status, exc.description, fmt, exc.headers)
        if isinstance(exc, DomainError):
            return error_response(400, exc.message, fmt)
        if isinstance(exc, exceptions.Throttled):
            headers = {"Retry-After": str(int(exc.wait))} if exc.wait is not None else {}
            return error_response(429, exc.detail, fmt, headers)
        if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
            return error_response(400, exc.detail, fmt)
        if isinstance(exc, exceptions.APIException):
            return error_response(exc.status_code, exc.detail, fmt)
        if isinstance(exc, Http404):
            return error_response(404, _("There is no such resource; discovery.json lists the endpoints."), fmt)
        if isinstance(exc, SuspiciousOperation):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
            return error_response(400, _("The request could not be read: it is too large or malformed."), fmt)
        return self.raise_uncaught_exception(exc)


class DiscoveryView(Open311View):
    """GET discovery: contact, how to get a key, the endpoint's URL and formats."""

    def get(self, request: Request, fmt: str) -> HttpResponse:
        services = reverse("open311:services", kwargs={"fmt": JSON})
        base_url = request.build_absolute_uri(services).rsplit("/", 1)[0]
        try:
            keys_url = request.build_absolute_uri(reverse("admin:cases_open311apikey_changelist"))
        except NoReverseMatch:  # pragma: no cover - the admin registers the model
            keys_url = request.build_absolute_uri("/admin/")
        return render(documents.discovery(base_url, keys_url), self.fmt, root="discovery")


class ServicesView(Open311View):
    """GET services: one service per active category."""

    def get(self, request: Request, fmt: str) -> HttpResponse:
        services = [documents.service(category) for category in documents.active_categories()]
        return render(services, self.fmt, root="services", item="service")


class ServiceDefinitionView(Open311View):
    """GET services/{code}: the spec's service definition object (no extra attributes)."""

    def get(self, request: Request, fmt: str, code: str) -> HttpResponse:
        category = documents.active_categories().filter(code=clean_text(code)).first()
        if category is None:
            raise Open311Error(404, _("There is no service with the code %(code)s.") % {"code": code})
        return render(documents.service_definition(category), self.fmt, root="service_definition")


def _moment(params: Any, name: str) -> datetime.datetime | None:
    text = UNENCODED_PLUS.sub(r"+\1", clean_text(params.get(name, "")).strip())
    if not text:
        return None
    try:
        moment = parse_datetime(text)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            moment.astimezone(datetime.UTC)  # a time the database can store
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise Open311Error(
            400,
            _("%(field)s must be an ISO 8601 date and time, e.g. %(example)s.")
            % {"field": name, "example": "2026-11-26T22:04:00+08:00"},
        )
    return moment


def _listed(params: Any, name: str) -> list[str]:
    parts = clean_text(params.get(name, "")).split(",")
    return list(dict.fromkeys(part.strip() for part in parts if part.strip()))[:MAX_RESULTS]


def requested_cases(params: Any):
    """The cases GET requests answers with: the listed ids, or the filters within the date window."""
    cases = documents.public_cases()
    numbers = _listed(params, "service_request_id")
    if numbers:  # the spec: it overrides every other parameter
        return cases.filter(number__in=numbers)[:MAX_RESULTS]
    statuses = {status.lower() for status in _listed(params, "status")}
    if not statuses <= {"open", "closed"}:
        raise Open311Error(400, _("status must be open or closed (or both, comma-separated)."))
    start, end = _moment(params, "start_date"), _moment(params, "end_date")
    end = end or timezone.now()
    start = start or end - DEFAULT_WINDOW
    if start > end:
        raise Open311Error(400, _("start_date must not be later than end_date."))
    cases = cases.filter(created_at__gte=start, created_at__lte=end)
    codes = _listed(params, "service_code")
    if codes:
        cases = cases.filter(category__code__in=codes)
    if statuses == {"open"}:
        cases = cases.exclude(state__in=documents.CLOSED_STATES)
    elif statuses == {"closed"}:
        cases = cases.filter(state__in=documents.CLOSED_STATES)
    return cases[:MAX_RESULTS]


class RequestsView(Open311View):
    """GET requests (public, filtered) and POST requests (with an api_key: files a `reported` case)."""

    http_method_names = ["get", "head", "post"]
    throttle_scope = "open311_post"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else [AnonRateThrottle()]

    def get(self, request: Request, fmt: str) -> HttpResponse:
        requests = [documents.service_request(case) for case in requested_cases(request.query_params)]
        return render(requests, self.fmt, root="service_requests", item="request")

    def post(self, request: Request, fmt: str) -> HttpResponse:
        case = create_request(request.data, request.query_params)
        return render([documents.created_request(case)], self.fmt, root="service_requests", item="request", status=201)


class RequestView(Open311View):
    """GET requests/{id}: one request, as an array of one (clients index [0])."""

    def get(self, request: Request, fmt: str, number: str) -> HttpResponse:
        case: Case | None = documents.public_cases().filter(number=clean_text(number)).first()
        if case is None:
            raise Open311Error(404, _("There is no service request %(id)s.") % {"id": number})
        return render([documents.service_request(case)], self.fmt, root="service_requests", item="request")


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404 (XML when the path ends in .xml)."""
    fmt = XML if path.lower().endswith(".xml") else JSON
    return error_response(404, _("There is no such resource; discovery.json lists the endpoints."), fmt)
