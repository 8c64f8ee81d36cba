"""The `escalated` figure counts the cases whose current deadline the worker escalated (督办), as the list does."""

import datetime

import time_machine
from django.utils import timezone

from cases import workflow
from cases.choices import CaseState
from dashboard.queries import DashboardFilters, overview
from tests.utils import client_for, numbers_on


def test_the_escalated_figure_counts_what_the_escalated_list_shows(world):
    late = world.case_in(CaseState.REGISTERED)
    on_time = world.case_in(CaseState.REGISTERED)
    window = datetime.timedelta(hours=world.category.report_in_hours)
    with time_machine.travel(timezone.now() - window - datetime.timedelta(minutes=5), tick=False):
        workflow.dispatch(world.users["staff_own"], late, lead_department=world.lead)
    workflow.dispatch(world.users["staff_own"], on_time, lead_department=world.lead)
    assert overview(DashboardFilters.from_query({}))["escalated"] == 0  # missed, but not escalated yet
    workflow.escalate_overdue()
    figures = overview(DashboardFilters.from_query({}))
    assert (figures["overdue"], figures["escalated"]) == (1, 1)
    listed = client_for(world.users["leader"]).get("/cases/?escalated=any").content.decode()
    assert numbers_on(listed) == [late.number]
    api = client_for(world.users["leader"]).get("/api/v1/dashboard/").json()
    assert api["escalated"] == 1
