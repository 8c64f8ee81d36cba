"""Who is told what (DESIGN.md §9): one rule per case event, written once for every channel.

`plan_for_event` answers, for one new CaseEvent, the notifications it causes: each a kind, the people
(told in the app and, if they want, by e-mail) and the departments (whose group robot is posted to).
The person who acted is never told of their own action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from cases.choices import WORKING_STATES, AssignmentRole, CaseAction, CaseState, Deadline
from cases.models import Assignment, Case, CaseEvent
from communities.choices import Role
from communities.models import Department
from notifications.choices import NotificationKind

User = get_user_model()


@dataclass
class Planned:
    """One kind of notification to some people and some departments' robots."""

    kind: str
    users: list = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


def active_users(**profile: Any) -> QuerySet:
    """Active users whose staff profile matches (role, street, department …)."""
    lookups = {f"staff_profile__{name}": value for name, value in profile.items()}
    return User.objects.filter(is_active=True, **lookups).order_by("pk")


def officers_of(departments: Iterable[Department]) -> list:
    ids = [department.pk for department in departments]
    if not ids:
        return []
    return list(active_users(role=Role.DEPT_OFFICER, department__in=ids))


def street_staff_of(case: Case) -> list:
    return list(active_users(role=Role.STREET_STAFF, street_id=case.street_id))


def leaders() -> list:
    return list(active_users(role=Role.LEADER))


def _departments(ids: Iterable[int]) -> list[Department]:
    ids = list(ids)
    by_id = Department.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _current(case: Case) -> QuerySet[Assignment]:
    return Assignment.objects.filter(case=case, finished_at__isnull=True).select_related("department")


def lead_departments(case: Case) -> list[Department]:
    """The department leading the current round (or the last one, for a case just sent back or closed)."""
    current = [a.department for a in _current(case).filter(role=AssignmentRole.LEAD)]
    if current:
        return current
    last = Assignment.objects.filter(case=case, role=AssignmentRole.LEAD).select_related("department")
    latest = last.order_by("-assigned_at", "-pk").first()
    return [latest.department] if latest else []


def _dispatched(event: CaseEvent, kind: str) -> Planned:
    departments = _departments(part["id"] for part in event.data.get("departments", []))
    data = {
        "report_in_due_at": event.data.get("report_in_due_at"),
        "resolve_due_at": event.data.get("resolve_due_at"),
        "whistle": bool(event.data.get("whistle")),
    }
    return Planned(kind, officers_of(departments), departments, data)


def _escalated(event: CaseEvent) -> Planned:
    case, deadline, level = event.case, event.data.get("deadline"), event.data.get("level", 1)
    data = {"deadline": deadline, "level": level, "due_at": event.data.get("due_at")}
    if level >= 2:
        return Planned(NotificationKind.ESCALATION, leaders(), [], data)
    if deadline == Deadline.REPORT_IN:
        late = _current(case).exclude(role=AssignmentRole.CC).filter(reported_in_at__isnull=True)
        departments = [assignment.department for assignment in late]
    else:
        departments = lead_departments(case)
    return Planned(NotificationKind.ESCALATION, officers_of(departments) + street_staff_of(case), departments, data)


def plan_for_event(event: CaseEvent) -> list[Planned]:
    """The notifications one case event causes (none for most events: comments, photos, acceptance …)."""
    case, action = event.case, event.action
    reason = {"reason": event.note} if event.note else {}
    if action == CaseAction.CREATE and event.to_state == CaseState.REPORTED:
        return [Planned(NotificationKind.NEW_REPORT, street_staff_of(case))]
    if action == CaseAction.DISPATCH:
        kind = NotificationKind.WHISTLE if event.data.get("whistle") else NotificationKind.DISPATCH
        return [_dispatched(event, kind)]
    if action == CaseAction.REOPEN:
        planned = _dispatched(event, NotificationKind.REOPEN)
        planned.data.update(reason)
        return [planned]
    if action == CaseAction.ESCALATE:
        return [_escalated(event)]
    if action == CaseAction.SEND_BACK:
        departments = lead_departments(case)
        data = {**reason, "department": departments[0].name if departments else ""}
        return [Planned(NotificationKind.SEND_BACK, street_staff_of(case), [], data)]
    if action == CaseAction.RESOLVE:
        return [Planned(NotificationKind.RESOLVED, street_staff_of(case))]
    if action == CaseAction.REWORK:
        departments = lead_departments(case)
        return [Planned(NotificationKind.REWORK, officers_of(departments), departments, reason)]
    if action == CaseAction.REQUEST_EXTENSION:
        return [
            Planned(NotificationKind.EXTENSION_REQUESTED, leaders(), [], {**reason, "until": event.data.get("until")})
        ]
    if action == CaseAction.APPROVE_EXTENSION:
        departments = lead_departments(case)
        data = {"approved": bool(event.data.get("approved")), "until": event.data.get("until"), **reason}
        return [Planned(NotificationKind.EXTENSION_DECIDED, officers_of(departments), departments, data)]
    if action == CaseAction.SUPERVISE:
        departments = _current_departments(case)
        data = {"note": event.note, "until": event.data.get("until")}
        return [Planned(NotificationKind.SUPERVISE, officers_of(departments), departments, data)]
    if action == CaseAction.REQUEST_DEFERRAL:
        data = {**reason, "until": event.data.get("until"), "plan": event.data.get("plan", "")}
        return [Planned(NotificationKind.DEFERRAL_REQUESTED, leaders(), [], data)]
    if action == CaseAction.DECIDE_DEFERRAL:
        departments = lead_departments(case)
        data = {"approved": bool(event.data.get("approved")), "until": event.data.get("until"), **reason}
        users = officers_of(departments) + street_staff_of(case)
        return [Planned(NotificationKind.DEFERRAL_DECIDED, users, departments, data)]
    if action == CaseAction.RESUME:
        # Back from deferral: the same kind as the decision (no new kind), marked as the return.
        departments = lead_departments(case)
        data = {"resumed": True, "resolve_due_at": event.data.get("resolve_due_at")}
        return [Planned(NotificationKind.DEFERRAL_DECIDED, officers_of(departments), departments, data)]
    return []


def _current_departments(case: Case) -> list[Department]:
    """The lead and assisting departments of the current round."""
    return [a.department for a in _current(case).filter(role__in=(AssignmentRole.LEAD, AssignmentRole.ASSIST))]


REMINDER_BEFORE_MINUTES = 10


def due_reminders(now) -> list[tuple[str, Case, Planned]]:
    """Whistled departments that have not reported in, ten minutes or less before their deadline.

    Answers (key, case, planned) per department; the key names the assignment and its due time, so a
    reminder is sent once per deadline however often this runs.
    """
    import datetime

    soon = now + datetime.timedelta(minutes=REMINDER_BEFORE_MINUTES)
    assignments = (
        Assignment.objects.filter(
            whistle=True,
            finished_at__isnull=True,
            reported_in_at__isnull=True,
            report_in_due_at__gt=now,
            report_in_due_at__lte=soon,
            # Not only while the lead has not reported in: a whistled assisting department is reminded too.
            case__state__in=WORKING_STATES,
        )
        .exclude(role=AssignmentRole.CC)
        .select_related("case", "department")
    )
    answers = []
    for assignment in assignments:
        department = assignment.department
        data = {"report_in_due_at": assignment.report_in_due_at.isoformat(), "department": department.name}
        planned = Planned(NotificationKind.REPORT_IN_REMINDER, officers_of([department]), [department], data)
        key = f"reminder:{assignment.pk}:{assignment.report_in_due_at:%Y%m%d%H%M}"
        answers.append((key, assignment.case, planned))
    return answers
