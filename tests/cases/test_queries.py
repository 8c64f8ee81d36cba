"""The shared case queries: who sees what, the list filters, possible duplicates, phone masking."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from cases.choices import AssignmentRole, CaseState
from cases.models import Case
from cases.permissions import can_see_full_phone, can_view
from cases.queries import possible_duplicates, search_cases, visible_to
from core.masking import mask_phone
from tests.factories import AssignmentFactory, CategoryFactory, CommunityFactory, UserFactory

NOW = datetime.datetime(2021, 9, 1, 10, 0, tzinfo=datetime.UTC)

# DESIGN.md §4, for three cases: on roadchief_own's road ("road"), elsewhere in the street and
# created by roadchief_other ("own"), and in the other street with the unrelated department copied ("cc").
SEES = {
    "staff_own": {"road", "own"},
    "staff_other": {"cc"},
    "roadchief_own": {"road"},
    "roadchief_other": {"own"},
    "officer_lead": {"road"},
    "officer_assist": {"road"},
    "officer_unrelated": {"cc"},
    "leader": {"road", "own", "cc"},
    "admin": {"road", "own", "cc"},
    "superuser": {"road", "own", "cc"},
}


@pytest.fixture
def three_cases(world):
    road_case = world.case_in("dispatched", title="road")
    own_case = world.case_in("registered", title="own", road=None, created_by=world.users["roadchief_other"])
    elsewhere = CommunityFactory(street=world.other_street)
    cc_case = world.case_in("dispatched", title="cc", road=None, community=elsewhere, street=world.other_street)
    cc_case.assignments.all().delete()
    AssignmentFactory(case=cc_case, department=world.unrelated, role=AssignmentRole.CC)
    return {"road": road_case, "own": own_case, "cc": cc_case}


@pytest.mark.parametrize("user", list(SEES))
def test_each_user_sees_exactly_the_cases_design_gives_them(world, three_cases, user):
    actor = world.users[user]
    assert set(visible_to(actor).values_list("title", flat=True)) == SEES[user]
    assert {title for title, case in three_cases.items() if can_view(actor, case)} == SEES[user]


def test_a_user_without_a_role_or_signed_out_sees_nothing(world, three_cases):
    for user in (UserFactory(), AnonymousUser()):
        assert not visible_to(user).exists()
        assert not can_view(user, three_cases["road"])


def test_visibility_is_one_query_without_duplicates(world, three_cases, django_assert_num_queries):
    # An officer's department may have several parts over time; the case is still listed once.
    case = three_cases["road"]
    AssignmentFactory(case=case, department=world.lead, role=AssignmentRole.LEAD, finished_at=NOW)
    with django_assert_num_queries(1):
        titles = list(visible_to(world.users["officer_lead"]).values_list("title", flat=True))
    assert titles == ["road"]


@pytest.mark.parametrize(
    ("user", "full"),
    [
        ("staff_own", True),
        ("officer_lead", True),
        ("officer_assist", False),
        ("roadchief_own", False),
        ("leader", False),
        ("admin", False),
        ("staff_other", False),
    ],
)
def test_resident_phones_are_whole_only_for_the_street_and_the_lead_department(world, user, full):
    case = world.case_in("in_progress")
    assert can_see_full_phone(world.users[user], case) is full


def test_after_closing_the_last_lead_department_still_sees_the_phone_and_an_earlier_one_does_not(world):
    case = world.case_in("closed")
    assert can_see_full_phone(world.users["officer_lead"], case)
    AssignmentFactory(case=case, department=world.assist, role=AssignmentRole.LEAD, finished_at=case.closed_at)
    case = Case.objects.get(pk=case.pk)
    assert not can_see_full_phone(world.users["officer_lead"], case)
    assert can_see_full_phone(world.users["officer_assist"], case)


def test_a_phone_is_masked_as_138_stars_1234():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("024-22345678") == "024****5678"
    assert mask_phone("12345") == "*****"


def test_the_list_filters_narrow_as_their_names_say(world):
    other_category = CategoryFactory()
    with time_machine.travel(NOW - datetime.timedelta(days=3), tick=False):
        old = world.case_in("closed", title="楼道堆物清理", description="3单元")
    # 00:30 on 1 September in Shenyang, still 31 August in UTC: it belongs to 1 September.
    with time_machine.travel(datetime.datetime(2021, 8, 31, 16, 30, tzinfo=datetime.UTC), tick=False):
        midnight = world.case_in("registered", title="夜间施工扰民")
    with time_machine.travel(NOW, tick=False):
        late = world.case_in("dispatched", title="僵尸车", address="青年大街")
        other = world.case_in("registered", title="小广告", category=other_category, campaign=other_category.campaign)
    everything = Case.objects.all()

    def numbers(**filters):
        return set(search_cases(everything, now=NOW, **filters).values_list("number", flat=True))

    assert numbers(created_after=datetime.date(2021, 9, 1), created_before=datetime.date(2021, 9, 1)) == {
        midnight.number,
        late.number,
        other.number,
    }
    assert numbers(created_before=datetime.date(2021, 8, 31)) == {old.number}
    assert numbers(state="dispatched") == {late.number}
    assert numbers(state=["dispatched", "closed"]) == {late.number, old.number}
    assert numbers(category=other_category.code) == {other.number}
    assert numbers(campaign=world.category.campaign.slug) == {old.number, midnight.number, late.number}
    assert numbers(street=world.street.pk) == {old.number, midnight.number, late.number, other.number}
    assert numbers(street=world.other_street.pk) == set()
    assert numbers(community=world.community.pk) == {old.number, midnight.number, late.number, other.number}
    assert numbers(department=world.assist.pk) == {old.number, late.number}
    assert numbers(overdue=True) == {late.number}  # its report-in was due an hour before NOW
    assert numbers(overdue=False) == {old.number, midnight.number, other.number}
    assert numbers(created_after=NOW.date()) == {midnight.number, late.number, other.number}
    assert numbers(created_before=(NOW - datetime.timedelta(days=1)).date()) == {old.number}
    assert numbers(text="青年") == {late.number}
    assert numbers(text="楼道 3单元") == {old.number}
    assert numbers(text=old.number) == {old.number}
    assert numbers(text="楼道 青年") == set()


def test_possible_duplicates_are_open_same_category_nearby_and_recent(world):
    here = (Decimal("41.796000"), Decimal("123.450000"))
    near_community = CommunityFactory(street=world.street)
    far_community = CommunityFactory(street=world.street)
    with time_machine.travel(NOW - datetime.timedelta(days=15), tick=False):
        world.case_in("registered", title="too old")
    with time_machine.travel(NOW - datetime.timedelta(days=2), tick=False):
        world.case_in("registered", title="same community")
        world.case_in("closed", title="closed")
        world.case_in("registered", title="other category", category=CategoryFactory())
        # 0.0013° of latitude is about 145 m; 0.003° about 334 m.
        world.case_in(
            "dispatched",
            title="150 m away",
            community=near_community,
            latitude=here[0] + Decimal("0.0013"),
            longitude=here[1],
        )
        world.case_in(
            "registered",
            title="330 m away",
            community=far_community,
            latitude=here[0] + Decimal("0.003"),
            longitude=here[1],
        )
        world.case_in("registered", title="no coordinates", community=far_community)
    found = possible_duplicates(world.category, world.community, *here, now=NOW)
    assert {case.title for case in found} == {"same community", "150 m away"}
    without_place = possible_duplicates(world.category, world.community, now=NOW)
    assert {case.title for case in without_place} == {"same community"}


def test_possible_duplicates_offer_only_cases_the_user_may_see(world):
    elsewhere = CommunityFactory(street=world.other_street)
    near = {"latitude": Decimal("41.796000"), "longitude": Decimal("123.450000")}
    world.case_in("registered", title="next street", community=elsewhere, street=world.other_street, **near)
    found = possible_duplicates(world.category, world.community, near["latitude"], near["longitude"])
    assert [case.title for case in found] == ["next street"]
    mine = possible_duplicates(
        world.category, world.community, near["latitude"], near["longitude"], user=world.users["staff_own"]
    )
    assert mine == []


def test_a_case_is_not_its_own_duplicate(world):
    case = world.case_in("registered")
    assert possible_duplicates(world.category, world.community, exclude=case) == []
    assert case.state == CaseState.REGISTERED


def test_the_actions_offered_are_exactly_those_the_workflow_would_take(world):
    from cases.permissions import allowed_actions

    case = world.case_in("in_progress")
    assert allowed_actions(world.users["officer_lead"], case) == [
        "send_back",
        "resolve",
        "request_extension",
        "request_deferral",
        "comment",
        "add_photos",
    ]
    # The assisting department has not reported in yet; the lead already has, so it is not offered again.
    assert allowed_actions(world.users["officer_assist"], case) == ["report_in", "comment", "add_photos"]
    assert allowed_actions(world.users["staff_other"], case) == []
    pending = world.case_in("in_progress", pending_extension=True)
    assert "request_extension" not in allowed_actions(world.users["officer_lead"], pending)
    assert allowed_actions(world.users["leader"], pending) == [
        "approve_extension",
        "supervise",
        "comment",
        "add_photos",
    ]
    deferral = world.case_in("in_progress", pending_deferral=True)
    assert "request_deferral" not in allowed_actions(world.users["officer_lead"], deferral)
    assert allowed_actions(world.users["leader"], deferral) == ["supervise", "decide_deferral", "comment", "add_photos"]


def test_summoned_departments_late_to_report_in_are_queryable(world):
    from cases.queries import overdue_assignments

    case = world.case_in("in_progress")  # the lead reported in; the assisting department, due an hour ago, has not
    late = overdue_assignments()
    assert [(a.case_id, a.department) for a in late] == [(case.pk, world.assist)]
    AssignmentFactory(case=case, department=world.unrelated, role=AssignmentRole.CC)
    assert overdue_assignments().count() == 1  # copied departments never report in
