"""Notification pages (DESIGN.md §9): the list, the bell in the header, mark read, settings.

Every page shows the signed-in user's own notifications only; another user's is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from cases.permissions import ACTION_RULES, check_action
from communities.choices import Role
from communities.roles import role_of
from core.errors import DomainError
from notifications.choices import NotificationKind
from notifications.forms import NotificationSettingsForm
from notifications.messages import local_time, title
from notifications.models import Notification, NotificationSettings

# Kinds that ask the reader's department to report in by data["report_in_due_at"]: a countdown and a 报到 button.
REPORT_IN_KINDS = (NotificationKind.WHISTLE, NotificationKind.REPORT_IN_REMINDER)


def own_notifications(request: HttpRequest) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=request.user)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _back(request: HttpRequest) -> HttpResponseRedirect:
    """Back to the page the form was on (a page of the list), never to another site."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("notifications:list")
    return HttpResponseRedirect(target)


class NotificationListView(LoginRequiredMixin, ListView):
    """The user's notifications, newest first, 20 a page; unread ones marked."""

    template_name = "notifications/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[Notification]:
        return own_notifications(self.request).select_related("case").prefetch_related("case__assignments")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(context["notifications"])
        user = self.request.user
        officer = role_of(user) == Role.DEPT_OFFICER
        report_in_states = ACTION_RULES["report_in"].states
        may_report_in: dict[int, bool] = {}
        for item in items:
            number = item.case.number if item.case_id else None
            item.title = title(item.kind, item.data, number)
            item.countdown = item.kind in REPORT_IN_KINDS and bool(item.data.get("report_in_due_at"))
            item.due_text = local_time(item.data.get("report_in_due_at")) if item.countdown else ""
            item.can_report_in = False
            if officer and item.kind in REPORT_IN_KINDS and item.case_id and item.case.state in report_in_states:
                if item.case_id not in may_report_in:
                    try:
                        check_action(user, "report_in", item.case)
                    except DomainError:
                        may_report_in[item.case_id] = False
                    else:
                        may_report_in[item.case_id] = True
                item.can_report_in = may_report_in[item.case_id]
        context["notifications"] = items
        context["unread"] = unread_count(user)
        return context


@method_decorator(never_cache, name="dispatch")
class BellView(View):
    """The bell in the header (an htmx fragment, polled): the unread count. Stops polling once signed out."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            # 286: htmx stops polling.
            return HttpResponse(status=286)
        return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})


class OpenView(LoginRequiredMixin, View):
    """Follow a notification: mark it read and go to its case (or to the list when it has none)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(own_notifications(request).select_related("case"), pk=pk)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        if notification.case_id is None:
            return redirect("notifications:list")
        return redirect("cases:case_detail", number=notification.case.number)


class MarkReadView(LoginRequiredMixin, View):
    """POST: mark one notification read."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(own_notifications(request), pk=pk)
        if notification.read_at is None:
            Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
        return _back(request)


class MarkAllReadView(LoginRequiredMixin, View):
    """POST: mark all the user's notifications read."""

    def post(self, request: HttpRequest) -> HttpResponse:
        marked = own_notifications(request).filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, _("Marked %(count)s notifications as read.") % {"count": marked})
        return _back(request)


class NotificationSettingsView(LoginRequiredMixin, View):
    """E-mail on or off and the language of e-mails."""

    template_name = "notifications/settings.html"

    def _settings(self, request: HttpRequest) -> NotificationSettings:
        found = NotificationSettings.objects.filter(user=request.user).first()
        return found or NotificationSettings(user=request.user)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = NotificationSettingsForm(instance=self._settings(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NotificationSettingsForm(request.POST, instance=self._settings(request))
        if not form.is_valid():
            messages.error(request, _("Please correct the marked fields."))
            return render(request, self.template_name, {"form": form}, status=400)
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
