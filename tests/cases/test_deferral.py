"""Deferral (缓办/挂账, DESIGN.md §11): the lead department asks, a leader decides; a deferred case stops its
clock, leaves the 应结案数 and `overdue`, is on the register, and comes back on its date (the worker)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from cases import tasks, workflow
from cases.choices import CaseAction, CaseState
from cases.figures import case_set_q
from cases.models import Case, CaseEvent
from cases.queries import overdue_q
from core.errors import Forbidden, InvalidInput, InvalidState
from dashboard.queries import DashboardFilters, overview
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.utils import client_for, numbers_on

ALL = (None, None)


def refused(error_type, call, *args, **kwargs):
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    assert str(caught.value.message)
    return caught.value


def in_set(name: str, case: Case, now: datetime.datetime | None = None) -> bool:
    return Case.objects.filter(case_set_q(name, ALL, now or timezone.now()), pk=case.pk).exists()


def told(case: Case, kind: str) -> set[int]:
    return set(Notification.objects.filter(case=case, kind=kind).values_list("recipient", flat=True))


def test_a_road_repair_is_deferred_into_next_years_renewal_plan_and_leaves_the_due_count(world):
    officer, leader = world.users["officer_lead"], world.users["leader"]
    # The resolve deadline passed yesterday: the case is due (应结案) and overdue.
    case = world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() - datetime.timedelta(days=1))
    assert in_set("due", case) and Case.objects.filter(overdue_q(), pk=case.pk).exists()
    assert overview(DashboardFilters.from_query({}))["overdue"] == 1
    next_year = datetime.date(timezone.localdate().year + 1, 4, 1)

    case = workflow.request_deferral(
        officer, case, reason="路面整体沉降，需大修", until=next_year, plan="明年道路更新改造计划"
    )
    assert case.deferral_pending and not case.is_deferred
    assert told(case, NotificationKind.DEFERRAL_REQUESTED) == {leader.pk}
    assert in_set("due", case), "a request alone changes nothing"

    case = workflow.decide_deferral(leader, case, approve=True, note="同意挂账")
    assert case.is_deferred and case.state == CaseState.IN_PROGRESS
    assert told(case, NotificationKind.DEFERRAL_DECIDED) == {officer.pk, world.users["staff_own"].pk}
    # Out of 应结案 and overdue while deferred; in the deferred set, on the register with its plan and date.
    assert not in_set("due", case) and not in_set("overdue", case)
    assert not Case.objects.filter(overdue_q(), pk=case.pk).exists()
    assert in_set("deferred", case)
    figures = overview(DashboardFilters.from_query({}))
    assert (figures["due"], figures["overdue"], figures["deferred"]) == (0, 0, 1)
    register = client_for(leader).get("/cases/deferred/").content.decode()
    assert case.number in register and "明年道路更新改造计划" in register and next_year.isoformat() in register
    assert numbers_on(client_for(leader).get("/cases/?figure=deferred").content.decode()) == [case.number]
    page = client_for(officer).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="deferred"' in page and "明年道路更新改造计划" in page
    # No escalation while deferred.
    assert workflow.escalate_overdue() == 0
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions.count(CaseAction.REQUEST_DEFERRAL) == 1 and actions.count(CaseAction.DECIDE_DEFERRAL) == 1


def test_the_worker_brings_a_deferred_case_back_on_its_date_with_its_deadline_moved(world):
    start = timezone.now().replace(microsecond=0)
    case = world.case_in(CaseState.IN_PROGRESS, resolve_due_at=start + datetime.timedelta(hours=10))
    back_on = timezone.localdate(start) + datetime.timedelta(days=30)
    with time_machine.travel(start, tick=False):
        case = workflow.request_deferral(
            world.users["officer_lead"], case, reason="待立项", until=back_on, plan="专项资金"
        )
        case = workflow.decide_deferral(world.users["leader"], case, approve=True)
    deferred_at = case.deferred_at
    the_day_before = timezone.make_aware(datetime.datetime.combine(back_on, datetime.time.min)) - datetime.timedelta(
        minutes=1
    )
    with time_machine.travel(the_day_before, tick=False):
        assert tasks.resume_deferred.call() == 0
    comes_back = the_day_before + datetime.timedelta(minutes=2)
    with time_machine.travel(comes_back, tick=False):
        assert tasks.resume_deferred.call() == 1
        assert tasks.resume_deferred.call() == 0, "once"
    case.refresh_from_db()
    assert not case.is_deferred and not case.deferral_pending and case.deferral_plan == ""
    # The clock stopped while deferred: the 10 hours left are left again.
    assert case.resolve_due_at == start + datetime.timedelta(hours=10) + (comes_back - deferred_at)
    event = CaseEvent.objects.get(case=case, action=CaseAction.RESUME)
    assert event.actor is None and event.from_state == event.to_state == CaseState.IN_PROGRESS
    assert event.data["plan"] == "专项资金"
    resumed = Notification.objects.filter(case=case, kind=NotificationKind.DEFERRAL_DECIDED, data__resumed=True)
    assert set(resumed.values_list("recipient", flat=True)) == {world.users["officer_lead"].pk}
    # Back in the loop: due again at its moved deadline.
    assert not in_set("due", case, comes_back)
    assert in_set("due", case, case.resolve_due_at + datetime.timedelta(minutes=1))


def test_deferral_refusals(world):
    officer, leader = world.users["officer_lead"], world.users["leader"]
    case = world.case_in(CaseState.IN_PROGRESS)
    later = timezone.localdate() + datetime.timedelta(days=90)
    args = {"reason": "待立项", "until": later, "plan": "改造计划"}
    assert refused(Forbidden, workflow.request_deferral, world.users["officer_assist"], case, **args).reason == (
        "not_your_department"
    )
    assert refused(Forbidden, workflow.request_deferral, leader, case, **args).reason == "role_not_allowed"
    dispatched = world.case_in(CaseState.DISPATCHED)
    assert refused(InvalidState, workflow.request_deferral, officer, dispatched, **args).reason == "invalid_state"
    for bad, field in (
        ({"reason": ""}, "reason"),
        ({"plan": " "}, "plan"),
        ({"until": timezone.localdate()}, "until"),
        ({"until": timezone.localdate() + datetime.timedelta(days=workflow.DEFERRAL_MAX_DAYS + 1)}, "until"),
        ({"until": None}, "until"),
        ({"until": "next year"}, "until"),
    ):
        error = refused(InvalidInput, workflow.request_deferral, officer, case, **(args | bad))
        assert field in error.fields
    assert refused(InvalidState, workflow.decide_deferral, leader, case).reason == "no_request"
    case = workflow.request_deferral(officer, case, **args)
    assert refused(InvalidState, workflow.request_deferral, officer, case, **args).reason == "deferral_pending"
    assert refused(Forbidden, workflow.decide_deferral, officer, case).reason == "role_not_allowed"
    assert "note" in refused(InvalidInput, workflow.decide_deferral, leader, case, approve=False).fields
    # Refused with a reason: the request is gone, the department may ask again, the clock never stopped.
    case = workflow.decide_deferral(leader, case, approve=False, note="应先临时修补")
    assert not case.deferral_pending and not case.is_deferred
    assert Notification.objects.filter(case=case, kind=NotificationKind.DEFERRAL_DECIDED).exists()
    case = workflow.request_deferral(officer, case, **args)
    case = workflow.decide_deferral(leader, case)
    assert refused(InvalidState, workflow.request_deferral, officer, case, **args).reason == "already_deferred"
    assert CaseEvent.objects.filter(case=case, action=CaseAction.REQUEST_DEFERRAL).count() == 2
    assert CaseEvent.objects.filter(case=case, action=CaseAction.DECIDE_DEFERRAL).count() == 2


def test_resolving_a_deferred_case_ends_the_deferral_and_leaves_out_the_pause(world):
    start = timezone.now().replace(microsecond=0)
    case = world.case_in(CaseState.IN_PROGRESS, resolve_due_at=start + datetime.timedelta(hours=1))
    with time_machine.travel(start, tick=False):
        case = workflow.request_deferral(
            world.users["officer_lead"],
            case,
            reason="待立项",
            until=timezone.localdate(start) + datetime.timedelta(days=60),
            plan="改造",
        )
        case = workflow.decide_deferral(world.users["leader"], case)
    with time_machine.travel(start + datetime.timedelta(days=5), tick=False):
        case = workflow.resolve(world.users["officer_lead"], case, note="提前修复", tally={world.metric.code: "1"})
    assert case.resolve_late is False and not case.is_deferred
    assert case.resolve_due_at == start + datetime.timedelta(days=5, hours=1)


def test_deferral_through_the_api(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    client = APIClient()
    client.force_authenticate(world.users["officer_lead"])
    until = (timezone.localdate() + datetime.timedelta(days=100)).isoformat()
    body = {"reason": "需大修", "until": until, "plan": "明年改造计划"}
    response = client.post(f"/api/v1/cases/{case.number}/request_deferral/", body, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["deferral_until"], answer["deferral_plan"], answer["deferred"]) == (until, "明年改造计划", False)
    response = client.post(f"/api/v1/cases/{case.number}/request_deferral/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "invalid_state")
    client.force_authenticate(world.users["leader"])
    response = client.post(f"/api/v1/cases/{case.number}/decide_deferral/", {"approve": False}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    response = client.post(f"/api/v1/cases/{case.number}/decide_deferral/", {"approve": True}, format="json")
    assert response.status_code == 200 and response.json()["deferred"] is True
    assert response.json()["deferred_at"] is not None
    listed = client.get("/api/v1/cases/?deferral=deferred").json()["results"]
    assert [row["number"] for row in listed] == [case.number]
    assert client.get("/api/v1/dashboard/").json()["deferred"] == 1


def test_the_dashboard_says_how_deferred_cases_are_counted_and_links_the_register(world):
    case = world.case_in(CaseState.IN_PROGRESS, pending_deferral=True)
    workflow.decide_deferral(world.users["leader"], case)
    page = client_for(world.users["leader"]).get("/dashboard/").content.decode()
    assert "缓办期间不计入应结案数" in page
    assert 'href="/cases/deferred/"' in page
    home = client_for(world.users["leader"]).get("/").content.decode()
    assert 'data-queue="deferrals"' in home


def test_the_timeline_says_what_each_supervision_and_deferral_event_recorded(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    day = timezone.localdate() + datetime.timedelta(days=3)
    workflow.supervise(world.users["leader"], case, note="盯办", until=day)
    workflow.request_deferral(world.users["officer_lead"], case, reason="需大修", until=day, plan="改造计划")
    workflow.decide_deferral(world.users["leader"], case)
    page = client_for(world.users["leader"]).get(f"/cases/{case.number}/").content.decode()
    assert f"限 {day.isoformat()} 前办结" in page
    assert f"纳入改造计划，{day.isoformat()} 恢复办理" in page
    assert "已批准缓办" in page
