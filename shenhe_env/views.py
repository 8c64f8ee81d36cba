"""Site-wide pages: the role-aware home page, health check and error pages."""

from __future__ import annotations

import uuid

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from core.worker import worker_health
from shenhe_env.home import home_overview


class HomeView(LoginRequiredMixin, TemplateView):
    """Greets the user with their role and shows the part of the district they work on."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overview"] = home_overview(self.request.user)
        return context


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Say whether the database, the cache and the worker answer (DESIGN.md §8), for load balancers and monitoring.

    503 names what is wrong: the database does not answer, the cache does not keep a value, or no worker has
    finished a job for WORKER_STALE_AFTER_SECONDS (the schedule gives the worker one a minute).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database_ok = cursor.fetchone() == (1,)
    except DatabaseError:
        database_ok = False
    cache_ok = _cache_answers()
    worker = {"ok": False, "reason": "the database does not answer"}
    if database_ok:
        try:
            worker = worker_health()
        except DatabaseError:
            worker = {"ok": False, "reason": "the worker's heartbeat cannot be read"}
    healthy = database_ok and cache_ok and worker["ok"]
    reasons = [
        reason
        for ok, reason in (
            (database_ok, "the database does not answer"),
            (cache_ok, "the cache does not answer"),
            (worker["ok"], f"worker: {worker.get('reason', '')}"),
        )
        if not ok
    ]
    body = {"status": "ok" if healthy else "unavailable", "database": database_ok, "cache": cache_ok, "worker": worker}
    if reasons:
        body["reasons"] = reasons
    return JsonResponse(body, status=200 if healthy else 503)


def _cache_answers() -> bool:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        answered = cache.get(key) == "1"
        cache.delete(key)
    except Exception:  # any cache backend's connection error
        return False
    return answered


API_PREFIXES = ("/api/",)
API_CODES = {400: "validation_error", 403: "forbidden", 404: "not_found", 500: "server_error"}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def _api_error(status: int, message: str) -> JsonResponse:
    """An API client gets the API's error format even when Django itself refuses the request."""
    return JsonResponse({"code": API_CODES[status], "message": message}, status=status)


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if _is_api(request):
        return _api_error(status, message)
    return render(request, "error.html", {"status": status, "title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request,
        400,
        _("Bad request"),
        _("The request could not be understood. Please go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(
        request,
        403,
        _("Not allowed"),
        _("Your role does not allow this. Ask your administrator if you need it."),
    )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404, _("Page not found"), _("This page does not exist, or you may not see it."))


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            500, _("The system could not finish this request. The error has been logged; please try again later.")
        )
    # No request context: the failure may be in the session, the database or static files.
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "message": _("The system could not finish this request. The error has been logged; please try again later."),
    }
    return HttpResponseServerError(loader.get_template("500.html").render(context))
