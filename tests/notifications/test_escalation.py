"""Escalation (督办) and reminders as people receive them (DESIGN.md §9), through the clock (time_machine):
level 1 at the deadline to the department and the street, level 2 at twice the window to the leaders,
each once per due time."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from cases import workflow
from cases.choices import Deadline
from notifications import tasks
from notifications.choices import NotificationKind
from notifications.messages import title
from notifications.models import Notification

START = datetime.datetime(2021, 8, 25, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def at(offset: datetime.timedelta):
    return time_machine.travel(START + offset, tick=False)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


@pytest.fixture
def case(world):
    with at(hours(0)):
        new = workflow.create_case(
            world.users["staff_own"], title="小区道路破损", category=world.category, community=world.community
        )
        return workflow.dispatch(
            world.users["staff_own"], new, lead_department=world.lead, assist_departments=[world.assist]
        )


def escalations(world) -> list[tuple[str, int, str]]:
    names = {user.pk: name for name, user in world.users.items()}
    told = Notification.objects.filter(kind=NotificationKind.ESCALATION).order_by("pk")
    return sorted((n.data["deadline"], n.data["level"], names[n.recipient_id]) for n in told)


def escalate_at(offset: datetime.timedelta) -> int:
    with at(offset):
        return workflow.escalate_overdue()


def test_both_levels_of_both_deadlines_reach_their_people_once(world, case):
    assert case.report_in_due_at == START + hours(2) and case.resolve_due_at == START + hours(72)
    assert escalate_at(hours(2) - datetime.timedelta(minutes=1)) == 0
    assert escalate_at(hours(2) + datetime.timedelta(minutes=1)) == 1
    first = [(Deadline.REPORT_IN, 1, name) for name in ("officer_assist", "officer_lead", "staff_own")]
    assert escalations(world) == first
    # Twice the window (dispatch → due) after dispatch: the leaders.
    assert escalate_at(hours(4) - datetime.timedelta(minutes=1)) == 0
    assert escalate_at(hours(4)) == 1
    second = [*first, (Deadline.REPORT_IN, 2, "leader")]
    assert escalations(world) == sorted(second)
    for offset in (hours(4), hours(5), hours(30)):
        assert escalate_at(offset) == 0
    assert escalations(world) == sorted(second)

    with at(hours(30)):
        case = workflow.report_in(world.users["officer_lead"], case)
    assert escalate_at(hours(72) + datetime.timedelta(minutes=1)) == 1
    # The resolve deadline is the lead department's alone.
    third = [*second, (Deadline.RESOLVE, 1, "officer_lead"), (Deadline.RESOLVE, 1, "staff_own")]
    assert escalations(world) == sorted(third)
    assert escalate_at(hours(144)) == 1
    assert escalations(world) == sorted([*third, (Deadline.RESOLVE, 2, "leader")])
    assert escalate_at(hours(200)) == 0
    assert Notification.objects.filter(kind=NotificationKind.ESCALATION).count() == 7

    with at(hours(200)):
        leader = Notification.objects.get(recipient=world.users["leader"], data__deadline=Deadline.RESOLVE)
        assert (
            title(leader.kind, leader.data, case.number)
            == f"督办上报领导：{case.number} 的处置时限已于 2021-08-28 09:00 到期"
        )


def test_a_case_reported_in_on_time_is_never_escalated_for_report_in(world, case):
    with at(datetime.timedelta(minutes=20)):
        workflow.report_in(world.users["officer_lead"], case)
    for offset in (hours(2) + datetime.timedelta(minutes=1), hours(4), hours(10)):
        assert escalate_at(offset) == 0
    assert not Notification.objects.filter(kind=NotificationKind.ESCALATION).exists()


def test_a_granted_extension_gives_the_new_deadline_its_own_escalations(world, case):
    with at(hours(1)):
        case = workflow.report_in(world.users["officer_lead"], case)
        case = workflow.request_extension(world.users["officer_lead"], case, until=START + hours(96), reason="材料未到")
        workflow.approve_extension(world.users["leader"], case, approve=True)
    assert escalate_at(hours(73)) == 0  # the old deadline no longer counts
    assert escalate_at(hours(96) + datetime.timedelta(minutes=1)) == 1
    assert escalations(world) == [(Deadline.RESOLVE, 1, "officer_lead"), (Deadline.RESOLVE, 1, "staff_own")]


def test_a_whistled_assisting_department_is_reminded_after_the_lead_reported_in(world):
    with at(hours(0)):
        new = workflow.create_case(
            world.users["staff_own"], title="占道经营", category=world.category, community=world.community
        )
        case = workflow.dispatch(
            world.users["staff_own"], new, lead_department=world.lead, assist_departments=[world.assist], whistle=True
        )
    with at(datetime.timedelta(minutes=5)):
        workflow.report_in(world.users["officer_lead"], case)
    with at(datetime.timedelta(minutes=21)):
        assert tasks.send_report_in_reminders.call() == 1
        assert tasks.send_report_in_reminders.call() == 0
    reminded = Notification.objects.get(kind=NotificationKind.REPORT_IN_REMINDER)
    assert reminded.recipient == world.users["officer_assist"]
    # The case is in progress: the report-in deadline of the lead is met, nothing is escalated.
    assert escalate_at(hours(2)) == 0
