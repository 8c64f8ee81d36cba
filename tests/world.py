"""A small district for workflow and dashboard tests: two streets, roads, three departments, a user per relationship.

The `world` fixture; the conftest of each test package that needs it imports it from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from cases.choices import AssignmentRole, CaseState
from cases.models import Case
from tests.factories import (
    AssignmentFactory,
    CaseFactory,
    CategoryFactory,
    CommunityFactory,
    DepartmentFactory,
    MetricFactory,
    RoadFactory,
    StaffProfileFactory,
    StreetFactory,
    UserFactory,
)


@dataclass
class World:
    """Everything a case needs, and a user for each relationship DESIGN.md §4 distinguishes."""

    street: object
    other_street: object
    community: object
    road: object
    category: object
    metric: object
    lead: object
    assist: object
    unrelated: object
    users: dict

    def case_in(self, state: str, *, pending_extension: bool = False, pending_deferral: bool = False, **fields) -> Case:
        """A case in `state` as the workflow would have left it (assignments and times included)."""
        now = timezone.now()
        values = {
            "category": self.category,
            "community": self.community,
            "street": self.street,
            "road": self.road,
            "state": state,
            "reporter_name": "王女士",
            "reporter_phone": "13812341234",
        }
        working = state in (CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.RESOLVED, CaseState.CLOSED)
        if working:
            values |= {
                "dispatched_at": now - datetime.timedelta(hours=3),
                "report_in_due_at": now - datetime.timedelta(hours=1),
                "resolve_due_at": now + datetime.timedelta(hours=69),
            }
        if state in (CaseState.IN_PROGRESS, CaseState.RESOLVED, CaseState.CLOSED):
            values |= {"reported_in_at": now - datetime.timedelta(hours=2), "report_in_late": False}
            values["work_started_at"] = values["reported_in_at"]
        if state in (CaseState.RESOLVED, CaseState.CLOSED):
            values |= {"resolved_at": now - datetime.timedelta(days=1, hours=1), "resolve_late": False}
        if state == CaseState.CLOSED:
            values["closed_at"] = now - datetime.timedelta(days=1)
        if pending_extension:
            values |= {"extension_requested_until": now + datetime.timedelta(days=5), "extension_reason": "材料未到"}
        if pending_deferral:
            values |= {
                "deferral_requested_at": now - datetime.timedelta(hours=1),
                "deferral_until": timezone.localdate(now) + datetime.timedelta(days=200),
                "deferral_reason": "需纳入道路改造工程",
                "deferral_plan": "明年道路更新改造计划",
            }
        case = CaseFactory(**(values | fields))
        if working:
            finished = case.closed_at
            lead_reported = case.reported_in_at
            AssignmentFactory(
                case=case,
                department=self.lead,
                role=AssignmentRole.LEAD,
                assigned_at=case.dispatched_at,
                report_in_due_at=case.report_in_due_at,
                reported_in_at=lead_reported,
                report_in_late=False if lead_reported else None,
                finished_at=finished,
            )
            AssignmentFactory(
                case=case,
                department=self.assist,
                role=AssignmentRole.ASSIST,
                assigned_at=case.dispatched_at,
                report_in_due_at=case.report_in_due_at,
                finished_at=finished,
            )
        return case


@pytest.fixture
def world(db) -> World:
    street, other_street = StreetFactory(name="滨河街道"), StreetFactory(name="大南街道")
    community = CommunityFactory(street=street)
    lead, assist, unrelated = (
        DepartmentFactory(name="城管执法局"),
        DepartmentFactory(name="环卫中心"),
        DepartmentFactory(),
    )
    metric = MetricFactory(code="debris_piles_removed", name="清理乱堆乱放")
    category = CategoryFactory(default_department=lead, after_photo_required=False)
    category.metrics.add(metric)
    users = {
        "staff_own": StaffProfileFactory(street=street).user,
        "staff_other": StaffProfileFactory(street=other_street).user,
        "roadchief_own": StaffProfileFactory(road_chief=True, street=street).user,
        "roadchief_other": StaffProfileFactory(road_chief=True, street=street).user,
        "officer_lead": StaffProfileFactory(officer=True, department=lead).user,
        "officer_assist": StaffProfileFactory(officer=True, department=assist).user,
        "officer_unrelated": StaffProfileFactory(officer=True, department=unrelated).user,
        "leader": StaffProfileFactory(leader=True).user,
        "admin": StaffProfileFactory(admin=True).user,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }
    road = RoadFactory(street=street, road_chief=users["roadchief_own"])
    RoadFactory(street=street, road_chief=users["roadchief_other"])
    return World(
        street=street,
        other_street=other_street,
        community=community,
        road=road,
        category=category,
        metric=metric,
        lead=lead,
        assist=assist,
        unrelated=unrelated,
        users=users,
    )
