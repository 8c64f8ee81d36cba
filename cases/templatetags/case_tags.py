"""Template helpers for case pages: state badges and deadlines as time left or overdue."""

from __future__ import annotations

import datetime
import secrets

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.choices import AssignmentRole, CaseState, Deadline, Satisfaction
from cases.forms import FORM_TOKEN_FIELD
from cases.permissions import lead_assignment

register = template.Library()

STATE_TONES = {
    CaseState.REPORTED: "text-bg-secondary",
    CaseState.REGISTERED: "text-bg-info",
    CaseState.REJECTED: "text-bg-light border",
    CaseState.DISPATCHED: "text-bg-warning",
    CaseState.IN_PROGRESS: "text-bg-primary",
    CaseState.RESOLVED: "text-bg-success bg-opacity-75",
    CaseState.CLOSED: "text-bg-success",
}


@register.simple_tag
def form_token() -> str:
    """A form's one-time token: the same form sent twice files or acts once (cases/idempotency.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD, secrets.token_urlsafe(18))


@register.simple_tag
def state_badge(state: str) -> str:
    """The state as a coloured badge."""
    return format_html(
        '<span class="badge {}" data-state="{}">{}</span>',
        STATE_TONES.get(state, "text-bg-secondary"),
        state,
        CaseState(state).label,
    )


def duration_words(delta: datetime.timedelta) -> str:
    """A span of time in the largest whole unit that reads naturally: minutes, hours or days."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = hours // 24
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


@register.simple_tag
def due_status(due: datetime.datetime | None, now: datetime.datetime, done: datetime.datetime | None = None) -> str:
    """'3 hours left' or 'overdue by 20 minutes' (red); for a finished step, whether it finished on time."""
    if due is None:
        return ""
    if done is not None:
        if done > due:
            return format_html(
                '<span class="text-danger">{}</span>', _("late by %(time)s") % {"time": duration_words(done - due)}
            )
        return format_html('<span class="text-success">{}</span>', _("on time"))
    if now > due:
        return format_html(
            '<span class="text-danger fw-semibold" data-overdue="true">{}</span>',
            _("overdue by %(time)s") % {"time": duration_words(now - due)},
        )
    return format_html(
        '<span class="text-body-secondary">{}</span>', _("%(time)s left") % {"time": duration_words(due - now)}
    )


def _local_time(value: str | None) -> str:
    """An ISO time stored in an event as the reader's 'YYYY-MM-DD HH:MM' (Shanghai time)."""
    if not value:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "Y-m-d H:i")


@register.simple_tag
def event_facts(event, metrics: dict) -> list[str]:
    """What an event's data says, as short translated phrases for the timeline."""
    data = event.data or {}
    facts: list[str] = []
    if data.get("whistle"):
        facts.append(_("Whistle (吹哨)"))
    departments = data.get("departments") or []
    for role in AssignmentRole:
        names = "、".join(part["name"] for part in departments if part.get("role") == role)
        if names:
            facts.append(f"{role.label}: {names}")
    if data.get("report_in_due_at"):
        facts.append(_("report in by %(time)s") % {"time": _local_time(data["report_in_due_at"])})
    if data.get("resolve_due_at") and event.action != "request_extension":
        facts.append(_("resolve by %(time)s") % {"time": _local_time(data["resolve_due_at"])})
    if event.action == "report_in" and data.get("department"):
        facts.append(
            _("%(department)s reported in after %(time)s")
            % {
                "department": data["department"],
                "time": duration_words(datetime.timedelta(minutes=data.get("minutes") or 0)),
            }
        )
    for code, quantity in (data.get("tally") or {}).items():
        metric = metrics.get(code)
        facts.append(f"{metric.name} {quantity} {metric.unit}" if metric else f"{code} {quantity}")
    if data.get("satisfaction"):
        facts.append(_("Resident: %(answer)s") % {"answer": Satisfaction(data["satisfaction"]).label})
    if event.action == "request_extension" and data.get("until"):
        facts.append(_("asks until %(time)s") % {"time": _local_time(data["until"])})
    if event.action == "approve_extension":
        if data.get("approved"):
            facts.append(_("granted: resolve by %(time)s") % {"time": _local_time(data.get("until"))})
        else:
            facts.append(_("refused"))
    if event.action == "supervise" and data.get("until"):
        facts.append(_("to be done by %(date)s") % {"date": data["until"]})
    if event.action in ("request_deferral", "decide_deferral") and data.get("plan"):
        facts.append(_("into %(plan)s, back on %(date)s") % {"plan": data["plan"], "date": data.get("until") or ""})
    if event.action == "decide_deferral":
        facts.append(_("deferred") if data.get("approved") else _("refused"))
    if event.action == "resume":
        facts.append(_("back after %(days)s days of deferral") % {"days": data.get("deferred_days", 0)})
    if event.action == "escalate":
        label = Deadline(data["deadline"]).label if data.get("deadline") in Deadline.values else ""
        facts.append(_("%(deadline)s was due %(time)s") % {"deadline": label, "time": _local_time(data.get("due_at"))})
    if event.action == "send_back" and data.get("department"):
        facts.append(_("sent back by %(department)s") % {"department": data["department"]})
    if data.get("duplicate_of"):
        facts.append(_("duplicate of %(number)s") % {"number": data["duplicate_of"]})
    if data.get("late"):
        facts.append(_("late"))
    return facts


@register.filter
def lead_department(case) -> str:
    """The name of the department leading the case now, or the one that led it last."""
    lead = lead_assignment(case)
    return lead.department.name if lead else ""


@register.filter
def percent(value: float | None) -> str:
    """A rate (a fraction 0–1) as the dashboard prints it: 57.9%."""
    return "—" if value is None else f"{value * 100:.1f}%"
