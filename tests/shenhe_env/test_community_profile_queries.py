"""The reads behind the community pages: list counts, case figures, tally split, pairing history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.choices import CaseState
from communities import queries as place_queries
from shenhe_env.community_profile import queries
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    BranchPairingFactory,
    CaseFactory,
    CommunityFactory,
    MetricFactory,
    PartyBranchFactory,
    RoadFactory,
    StaffProfileFactory,
    StreetFactory,
    TallyEntryFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


def rows_by_name(user) -> dict:
    return {community.name: community for community in queries.community_rows(user)}


def test_community_rows_count_volunteers_activities_and_open_cases_without_multiplying():
    community = CommunityFactory(name="青年社区")
    branch = PartyBranchFactory()
    BranchPairingFactory(branch=branch, community=community, ends_on=None)
    VolunteerFactory.create_batch(4, community=community)
    ActivityFactory.create_batch(3, community=community)
    for state in (CaseState.REPORTED, CaseState.IN_PROGRESS, CaseState.CLOSED, CaseState.REJECTED):
        CaseFactory(community=community, state=state)
    CommunityFactory(name="空社区")
    leader = StaffProfileFactory(leader=True).user

    rows = rows_by_name(leader)

    row = rows["青年社区"]
    assert (row.volunteers_count, row.activities_count, row.open_cases) == (4, 3, 2)
    assert (row.branch_id, row.branch_name) == (branch.pk, branch.name)
    empty = rows["空社区"]
    assert (empty.volunteers_count, empty.activities_count, empty.open_cases, empty.branch_id) == (0, 0, 0, None)


def test_community_rows_name_only_the_branch_paired_now():
    community = CommunityFactory()
    BranchPairingFactory(community=community, starts_on=datetime.date(2021, 8, 1), ends_on=datetime.date(2021, 8, 31))
    now = BranchPairingFactory(community=community, starts_on=datetime.date(2021, 9, 1))
    row = queries.community_rows(StaffProfileFactory(leader=True).user).get(pk=community.pk)
    assert row.branch_name == now.branch.name


def test_open_cases_follow_each_roles_visibility():
    street = StreetFactory()
    community = CommunityFactory(street=street)
    chief = StaffProfileFactory(road_chief=True, street=street).user
    officer = StaffProfileFactory(officer=True).user
    on_road = CaseFactory(
        community=community, state=CaseState.DISPATCHED, road=RoadFactory(street=street, road_chief=chief)
    )
    AssignmentFactory(case=on_road, department=officer.staff_profile.department)
    CaseFactory(community=community, state=CaseState.REGISTERED)
    expected = {
        StaffProfileFactory(leader=True).user: 2,
        StaffProfileFactory(street=street).user: 2,
        StaffProfileFactory().user: 0,  # another street's staff
        chief: 1,
        officer: 1,
    }
    for user, count in expected.items():
        assert queries.community_rows(user).get(pk=community.pk).open_cases == count, user


def test_case_counts_split_open_awaiting_verification_and_closed():
    community = CommunityFactory()
    for state in (CaseState.REGISTERED, CaseState.RESOLVED, CaseState.RESOLVED, CaseState.CLOSED, CaseState.REJECTED):
        CaseFactory(community=community, state=state)
    CaseFactory(state=CaseState.CLOSED)  # another community
    counts = queries.case_counts(StaffProfileFactory(admin=True).user, community)
    assert counts == {"open": 3, "awaiting_verification": 2, "closed": 1}
    assert queries.case_counts(StaffProfileFactory().user, community) == {
        "open": 0,
        "awaiting_verification": 0,
        "closed": 0,
    }


def test_latest_cases_are_the_newest_the_user_may_see():
    community = CommunityFactory()
    cases = CaseFactory.create_batch(12, community=community)
    leader = StaffProfileFactory(leader=True).user
    latest = queries.latest_cases(leader, community)
    assert len(latest) == queries.LATEST_CASES
    assert latest[0].pk == cases[-1].pk
    assert queries.latest_cases(StaffProfileFactory().user, community) == []


def test_the_tally_splits_cases_from_activities_and_leaves_out_voided_and_empty_metrics():
    community = CommunityFactory()
    tiles, piles, cars = MetricFactory(order=2), MetricFactory(order=1), MetricFactory(order=3)
    case = CaseFactory(community=community, state=CaseState.CLOSED)
    activity = ActivityFactory(community=community)
    TallyEntryFactory(community=community, metric=tiles, quantity=Decimal("20.5"), case=case)
    TallyEntryFactory(community=community, metric=tiles, quantity=4, activity=activity)
    TallyEntryFactory(community=community, metric=piles, quantity=3, activity=activity)
    TallyEntryFactory(community=community, metric=piles, quantity=9, case=case, voided_at=timezone.now())
    TallyEntryFactory(community=community, metric=cars, quantity=2, case=case, voided_at=timezone.now())
    TallyEntryFactory(metric=tiles, quantity=50, case=CaseFactory())  # another community

    tally = queries.community_tally(community)

    assert [row["code"] for row in tally] == [piles.code, tiles.code]  # metric order; cars only voided
    assert (tally[0]["from_cases"], tally[0]["from_activities"], tally[0]["total"]) == (0, 3, 3)
    assert (tally[1]["from_cases"], tally[1]["from_activities"], tally[1]["total"]) == (
        Decimal("20.5"),
        4,
        Decimal("24.5"),
    )
    assert tally[1]["unit"] == tiles.unit


def test_the_pairing_history_puts_the_current_pairing_first():
    community = CommunityFactory()
    oldest = BranchPairingFactory(
        community=community, starts_on=datetime.date(2021, 1, 1), ends_on=datetime.date(2021, 3, 31)
    )
    middle = BranchPairingFactory(
        community=community, starts_on=datetime.date(2021, 4, 1), ends_on=datetime.date(2021, 8, 31)
    )
    current = BranchPairingFactory(community=community, starts_on=datetime.date(2021, 9, 1))
    assert queries.pairing_history(community) == [current, middle, oldest]


def test_volunteer_counts_split_party_members_and_residents():
    community = CommunityFactory()
    VolunteerFactory.create_batch(2, community=community, is_party_member=True)
    VolunteerFactory(community=community)
    VolunteerFactory()
    assert queries.volunteer_counts(community) == {"total": 3, "party_members": 2, "residents": 1}


def test_only_street_staff_start_on_a_street_and_see_their_frontage_phones():
    staff = StaffProfileFactory()
    street = staff.street
    assert place_queries.default_street(staff.user) == street
    assert place_queries.default_street(StaffProfileFactory(leader=True).user) is None
    assert place_queries.default_street(StaffProfileFactory(road_chief=True, street=street).user) is None
    assert place_queries.can_see_contact_phones(staff.user, street)
    assert not place_queries.can_see_contact_phones(staff.user, StreetFactory())
    assert not place_queries.can_see_contact_phones(StaffProfileFactory(road_chief=True, street=street).user, street)
    assert not place_queries.can_see_contact_phones(StaffProfileFactory(admin=True).user, street)
