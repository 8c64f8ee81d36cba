"""Supervision (督办, DESIGN.md §11): a leader marks a case a department holds; the department is told;
the case is marked, listed and counted (with the worker's escalations as system supervision)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases import workflow
from cases.choices import CaseAction, CaseState
from cases.figures import case_set_q
from cases.models import Case, CaseEvent
from core.errors import Forbidden, InvalidInput, InvalidState
from dashboard.queries import DashboardFilters, breakdown, overview
from notifications import messages
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.utils import client_for, numbers_on

ALL = (None, None)


def refused(error_type, call, *args, **kwargs):
    with pytest.raises(error_type) as caught:
        call(*args, **kwargs)
    assert str(caught.value.message)
    return caught.value


def test_the_leader_supervises_an_overdue_case_and_the_department_is_told(world):
    leader = world.users["leader"]
    case = world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() - datetime.timedelta(hours=2))
    until = timezone.localdate() + datetime.timedelta(days=2)

    case = workflow.supervise(leader, case, note="两日内修复", until=until)

    assert (case.supervised_by, case.supervision_note, case.supervised_until) == (leader, "两日内修复", until)
    assert case.state == CaseState.IN_PROGRESS
    event = CaseEvent.objects.get(case=case, action=CaseAction.SUPERVISE)
    assert (event.actor, event.note, event.data["until"]) == (leader, "两日内修复", until.isoformat())
    told = Notification.objects.filter(case=case, kind=NotificationKind.SUPERVISE)
    recipients = set(told.values_list("recipient", flat=True))
    assert recipients == {world.users["officer_lead"].pk, world.users["officer_assist"].pk}
    first = told.first()
    assert "两日内修复" in messages.title(first.kind, first.data, case.number)

    # Marked on the case page, listed and counted.
    page = client_for(world.users["officer_lead"]).get(f"/cases/{case.number}/").content.decode()
    assert 'data-testid="supervised"' in page and "两日内修复" in page
    listed = client_for(leader).get("/cases/?supervised=true").content.decode()
    assert numbers_on(listed) == [case.number]
    assert numbers_on(client_for(leader).get("/cases/?figure=supervised").content.decode()) == [case.number]
    assert overview(DashboardFilters.from_query({}))["supervised"] == 1


def test_supervision_is_refused_to_others_outside_the_working_states_and_without_a_note(world):
    case = world.case_in(CaseState.DISPATCHED)
    error = refused(Forbidden, workflow.supervise, world.users["officer_lead"], case, note="快")
    assert error.reason == "role_not_allowed"
    error = refused(Forbidden, workflow.supervise, world.users["staff_own"], case, note="快")
    assert error.reason == "role_not_allowed"
    error = refused(InvalidInput, workflow.supervise, world.users["leader"], case, note=" ")
    assert "note" in error.fields
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    error = refused(InvalidInput, workflow.supervise, world.users["leader"], case, note="快", until=yesterday)
    assert "until" in error.fields
    for state in (CaseState.REGISTERED, CaseState.RESOLVED, CaseState.CLOSED):
        error = refused(InvalidState, workflow.supervise, world.users["leader"], world.case_in(state), note="快")
        assert error.reason == "invalid_state"
    assert not CaseEvent.objects.filter(action=CaseAction.SUPERVISE).exists()
    # An administrator may supervise too; a second supervision replaces the mark and is one more event.
    workflow.supervise(world.users["admin"], case, note="第一次")
    case = workflow.supervise(world.users["leader"], case, note="第二次")
    assert case.supervision_note == "第二次" and case.supervised_until is None
    assert CaseEvent.objects.filter(case=case, action=CaseAction.SUPERVISE).count() == 2


def test_escalations_count_as_system_supervision_per_department(world):
    by_leader = world.case_in(CaseState.IN_PROGRESS)
    workflow.supervise(world.users["leader"], by_leader, note="盯办")
    escalated = world.case_in(CaseState.DISPATCHED)  # its report-in deadline passed an hour ago
    plain = world.case_in(CaseState.IN_PROGRESS)
    assert not Case.objects.filter(case_set_q("supervised", ALL, timezone.now()), pk=escalated.pk).exists()
    workflow.escalate_overdue()

    supervised = Case.objects.filter(case_set_q("supervised", ALL, timezone.now()))
    assert set(supervised) == {by_leader, escalated}
    assert plain not in supervised
    figures = overview(DashboardFilters.from_query({}))
    assert figures["supervised"] == 2
    per_department = {
        row["name"]: row["supervised"] for row in breakdown(DashboardFilters.from_query({}), by="department")
    }
    assert per_department[world.lead.name] == 2
    assert per_department[world.assist.name] == 2


def test_supervise_through_the_api(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    client = APIClient()
    client.force_authenticate(world.users["leader"])
    until = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(f"/api/v1/cases/{case.number}/supervise/", {"note": "尽快", "until": until}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["supervised"], body["supervision_note"], body["supervised_until"]) == (True, "尽快", until)
    assert body["supervised_at"] is not None
    client.force_authenticate(world.users["officer_lead"])
    response = client.post(f"/api/v1/cases/{case.number}/supervise/", {"note": "尽快"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    client.force_authenticate(world.users["leader"])
    response = client.post(f"/api/v1/cases/{case.number}/supervise/", {"until": until}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    listed = client.get("/api/v1/cases/?supervised=true").json()["results"]
    assert [row["number"] for row in listed] == [case.number]
