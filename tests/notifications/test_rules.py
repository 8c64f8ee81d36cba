"""Who is told what, through which channel (DESIGN.md §9): one row per event, through the real workflow.

Each row runs one action as its real actor on a case of the `world` and checks, for the notifications
that action's events caused: who got one in the app, who got an e-mail delivery (everyone told who has
an address, unless they turned e-mail off), which departments' group robots are posted to, and that the
actor and everyone unrelated got nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
import time_machine
from django.utils import timezone

from cases import workflow
from cases.choices import CaseState
from cases.models import CaseEvent
from communities.choices import RobotKind
from notifications import outbox, tasks
from notifications.choices import Channel, NotificationKind
from notifications.models import Delivery, Notification, NotificationSettings
from notifications.rules import due_reminders
from tests.factories import DepartmentFactory, StaffProfileFactory

LEAD_OFFICERS = ("officer_lead", "officer_lead_no_email")


@pytest.fixture
def district(world, robot_server):
    """The world with e-mail addresses, a copied department and group robots on every department."""
    world.cc = DepartmentFactory(name="住建局")
    world.users["officer_cc"] = StaffProfileFactory(officer=True, department=world.cc).user
    # A lead officer without an address: told in the app, never by e-mail.
    world.users["officer_lead_no_email"] = StaffProfileFactory(officer=True, department=world.lead).user
    for name, user in world.users.items():
        user.email = "" if name == "officer_lead_no_email" else f"{user.username}@shenhe.example"
        user.save(update_fields=["email"])
    robots = {
        "lead": RobotKind.WECOM,
        "assist": RobotKind.DINGTALK,
        "cc": RobotKind.WECOM,
        "unrelated": RobotKind.WECOM,
    }
    for name, kind in robots.items():
        department = getattr(world, name)
        department.robot_kind = kind
        department.robot_webhook_url = robot_server.url(f"/{name}")
        department.save(update_fields=["robot_kind", "robot_webhook_url"])
    return world


def new_report(w):
    return None, lambda: workflow.create_case(None, title="路边垃圾", category=w.category, community=w.community)


def dispatch(whistle: bool):
    def run(w):
        case = w.case_in(CaseState.REGISTERED)
        actor = w.users["staff_own"]
        return actor, lambda: workflow.dispatch(
            actor, case, lead_department=w.lead, assist_departments=[w.assist], cc_departments=[w.cc], whistle=whistle
        )

    return run


def send_back(w):
    case, actor = w.case_in(CaseState.DISPATCHED), w.users["officer_lead"]
    return actor, lambda: workflow.send_back(actor, case, reason="不属于本部门职责")


def resolve(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS), w.users["officer_lead"]
    return actor, lambda: workflow.resolve(actor, case, note="已清理", tally={w.metric.code: "3"})


def rework(w):
    case, actor = w.case_in(CaseState.RESOLVED), w.users["staff_own"]
    return actor, lambda: workflow.rework(actor, case, reason="仍有残留")


def request_extension(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS), w.users["officer_lead"]
    until = timezone.now() + datetime.timedelta(days=5)
    return actor, lambda: workflow.request_extension(actor, case, until=until, reason="材料未到")


def approve_extension(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS, pending_extension=True), w.users["leader"]
    return actor, lambda: workflow.approve_extension(actor, case, approve=True)


def supervise(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS), w.users["leader"]
    return actor, lambda: workflow.supervise(actor, case, note="请尽快处置")


def request_deferral(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS), w.users["officer_lead"]
    until = timezone.localdate() + datetime.timedelta(days=200)
    return actor, lambda: workflow.request_deferral(actor, case, reason="需翻修", until=until, plan="明年改造计划")


def decide_deferral(w):
    case, actor = w.case_in(CaseState.IN_PROGRESS, pending_deferral=True), w.users["leader"]
    return actor, lambda: workflow.decide_deferral(actor, case, approve=True)


def resume(w):
    case = w.case_in(CaseState.IN_PROGRESS, pending_deferral=True)
    workflow.decide_deferral(w.users["leader"], case, approve=True)

    def run():
        back = timezone.now() + datetime.timedelta(days=201)
        with time_machine.travel(back, tick=False):
            return workflow.resume_deferred()

    return None, run


def reopen(w):
    case, actor = w.case_in(CaseState.CLOSED), w.users["staff_own"]
    return actor, lambda: workflow.reopen(actor, case, reason="问题复发")


def escalation_level_1(w):
    w.case_in(CaseState.DISPATCHED)  # report-in was due an hour ago; neither department reported in
    return None, lambda: workflow.escalate_overdue()


def escalation_level_2(w):
    w.case_in(CaseState.DISPATCHED)  # dispatched 3 h ago, due 1 h ago: twice the window is in an hour
    workflow.escalate_overdue()

    def run():
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1), tick=False):
            return workflow.escalate_overdue()

    return None, run


@dataclass
class Row:
    setup: object
    kind: str
    told: tuple[str, ...]
    robots: tuple[str, ...] = ()


ROWS = {
    "new report → street staff": Row(new_report, NotificationKind.NEW_REPORT, ("staff_own",)),
    "dispatch → lead, assisting, copied departments": Row(
        dispatch(False),
        NotificationKind.DISPATCH,
        (*LEAD_OFFICERS, "officer_assist", "officer_cc"),
        ("lead", "assist", "cc"),
    ),
    "whistle → the same, as a whistle": Row(
        dispatch(True),
        NotificationKind.WHISTLE,
        (*LEAD_OFFICERS, "officer_assist", "officer_cc"),
        ("lead", "assist", "cc"),
    ),
    "send back → street staff": Row(send_back, NotificationKind.SEND_BACK, ("staff_own",)),
    "resolve → street staff": Row(resolve, NotificationKind.RESOLVED, ("staff_own",)),
    "rework → lead department": Row(rework, NotificationKind.REWORK, LEAD_OFFICERS, ("lead",)),
    "extension request → leaders": Row(request_extension, NotificationKind.EXTENSION_REQUESTED, ("leader",)),
    "extension decision → lead department": Row(
        approve_extension, NotificationKind.EXTENSION_DECIDED, LEAD_OFFICERS, ("lead",)
    ),
    "supervision → lead and assisting departments": Row(
        supervise, NotificationKind.SUPERVISE, (*LEAD_OFFICERS, "officer_assist"), ("lead", "assist")
    ),
    "deferral request → leaders": Row(request_deferral, NotificationKind.DEFERRAL_REQUESTED, ("leader",)),
    "deferral decision → lead department and street staff": Row(
        decide_deferral, NotificationKind.DEFERRAL_DECIDED, (*LEAD_OFFICERS, "staff_own"), ("lead",)
    ),
    "back from deferral → lead department": Row(resume, NotificationKind.DEFERRAL_DECIDED, LEAD_OFFICERS, ("lead",)),
    "reopen → the last round's departments": Row(
        reopen, NotificationKind.REOPEN, (*LEAD_OFFICERS, "officer_assist"), ("lead", "assist")
    ),
    "escalation level 1 → late departments and street staff": Row(
        escalation_level_1,
        NotificationKind.ESCALATION,
        (*LEAD_OFFICERS, "officer_assist", "staff_own"),
        ("lead", "assist"),
    ),
    "escalation level 2 → leaders": Row(escalation_level_2, NotificationKind.ESCALATION, ("leader",)),
}


@pytest.mark.parametrize("email_on", [True, False], ids=["email on", "email off"])
@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_each_event_tells_the_right_people_through_the_right_channels(district, row, email_on):
    users = district.users
    if not email_on:
        for user in users.values():
            NotificationSettings.objects.create(user=user, email=False)
    actor, action = row.setup(district)
    before = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    action()

    keys = [f"event:{pk}" for pk in CaseEvent.objects.filter(pk__gt=before).values_list("pk", flat=True)]
    assert keys, "the action recorded no event"
    name_of = {user.pk: name for name, user in users.items()}
    told = Notification.objects.filter(key__in=keys)
    assert sorted(name_of[pk] for pk in told.values_list("recipient_id", flat=True)) == sorted(row.told)
    assert set(told.values_list("kind", flat=True)) == {row.kind}

    emails = Delivery.objects.filter(key__in=keys, channel=Channel.EMAIL)
    expected = sorted(users[name].email for name in row.told if users[name].email) if email_on else []
    assert sorted(emails.values_list("address", flat=True)) == expected
    assert all(d.notification.recipient.email == d.address for d in emails.select_related("notification__recipient"))

    robots = Delivery.objects.filter(key__in=keys, channel=Channel.WEBHOOK)
    by_pk = {getattr(district, name).pk: name for name in ("lead", "assist", "cc", "unrelated")}
    assert sorted(by_pk[pk] for pk in robots.values_list("department_id", flat=True)) == sorted(row.robots)
    assert set(robots.values_list("kind", flat=True)) <= {row.kind}

    # The actor is never told of their own action; the unrelated are told of nothing at all.
    if actor is not None:
        assert not Notification.objects.filter(key__in=keys, recipient=actor).exists()
    unrelated = [users[name] for name in users if name not in row.told]
    assert not Notification.objects.filter(recipient__in=unrelated, key__in=keys).exists()
    assert not Notification.objects.filter(recipient=users["officer_unrelated"]).exists()
    assert not Delivery.objects.filter(department=district.unrelated).exists()


def test_a_repeated_escalation_run_tells_no_one_twice(district):
    district.case_in(CaseState.DISPATCHED)
    workflow.escalate_overdue()
    counts = Notification.objects.count(), Delivery.objects.count()
    assert workflow.escalate_overdue() == 0
    assert (Notification.objects.count(), Delivery.objects.count()) == counts


def whistled(district, start):
    with time_machine.travel(start, tick=False):
        case = district.case_in(CaseState.REGISTERED)
        case = workflow.dispatch(
            district.users["staff_own"],
            case,
            lead_department=district.lead,
            assist_departments=[district.assist],
            cc_departments=[district.cc],
            whistle=True,
        )
    return case


def test_the_report_in_reminder_comes_ten_minutes_before_a_whistle_deadline_once(district):
    start = timezone.now().replace(microsecond=0)
    case = whistled(district, start)
    due = case.report_in_due_at
    assert due == start + datetime.timedelta(minutes=30)
    # The assisting department reports in at once: it is not reminded.
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        workflow.report_in(district.users["officer_assist"], case)
    reminders = Notification.objects.filter(kind=NotificationKind.REPORT_IN_REMINDER)

    with time_machine.travel(due - datetime.timedelta(minutes=11), tick=False):
        assert tasks.send_report_in_reminders.call() == 0
    assert not reminders.exists()

    with time_machine.travel(due - datetime.timedelta(minutes=10), tick=False):
        assert tasks.send_report_in_reminders.call() == len(LEAD_OFFICERS)
        assert tasks.send_report_in_reminders.call() == 0
    for minutes in (7, 1):
        with time_machine.travel(due - datetime.timedelta(minutes=minutes), tick=False):
            assert tasks.send_report_in_reminders.call() == 0
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        assert tasks.send_report_in_reminders.call() == 0  # past the deadline it is an escalation's job

    name_of = {user.pk: name for name, user in district.users.items()}
    assert sorted(name_of[pk] for pk in reminders.values_list("recipient_id", flat=True)) == sorted(LEAD_OFFICERS)
    assert reminders.filter(case=case).count() == len(LEAD_OFFICERS)
    deliveries = Delivery.objects.filter(kind=NotificationKind.REPORT_IN_REMINDER)
    assert sorted(deliveries.filter(channel=Channel.EMAIL).values_list("address", flat=True)) == [
        district.users["officer_lead"].email
    ]
    assert list(deliveries.filter(channel=Channel.WEBHOOK).values_list("department_id", flat=True)) == [
        district.lead.pk
    ]


def test_reminders_through_the_rules_and_the_outbox_directly_are_written_once(district):
    start = timezone.now().replace(microsecond=0)
    case = whistled(district, start)
    moment = case.report_in_due_at - datetime.timedelta(minutes=5)
    first = [outbox.write(key, planned, case=c) for key, c, planned in due_reminders(moment)]
    again = [outbox.write(key, planned, case=c) for key, c, planned in due_reminders(moment)]
    # Lead (two officers) and assist (one) have not reported in; the copied department is never due.
    assert sorted(first) == [1, 2] and again == [0, 0]
    assert Delivery.objects.filter(kind=NotificationKind.REPORT_IN_REMINDER, channel=Channel.WEBHOOK).count() == 2
    assert not due_reminders(case.report_in_due_at - datetime.timedelta(minutes=11))
