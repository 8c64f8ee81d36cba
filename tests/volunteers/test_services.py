"""The volunteers app's rules: pairings and their history, activities with outcomes, participants' hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.choices import CaseState
from cases.models import Case, TallyEntry
from core.errors import Conflict, Forbidden, InvalidInput
from dashboard.queries import DashboardFilters, mobilisation, tally_totals
from tests.factories import CaseFactory, CommunityFactory, MetricFactory, PartyBranchFactory, VolunteerFactory
from tests.volunteers.conftest import ROLES
from volunteers import services
from volunteers.models import Activity, BranchPairing, Participation, Volunteer

pytestmark = pytest.mark.django_db

SATURDAY = datetime.datetime(2021, 8, 28, 8, 30, tzinfo=timezone.get_fixed_timezone(480))


def record(user, community, campaign, **overrides):
    values = {
        "title": "周末环境整治：楼道清理",
        "starts_at": SATURDAY,
        "ends_at": SATURDAY + datetime.timedelta(hours=3),
        "community": community,
        "campaign": campaign,
    }
    values.update(overrides)
    return services.save_activity(user, None, **values)


# --- pairings -------------------------------------------------------------------------------------


def test_moving_a_branch_ends_both_current_pairings_and_keeps_the_history(mob):
    branch = mob.pairings["own"].branch
    target = mob.other_community
    displaced = mob.pairings["other"].branch
    moved = services.move_pairing(mob.users["leader"], branch, target, datetime.date(2021, 10, 1))
    history = list(BranchPairing.objects.filter(branch=branch).order_by("starts_on"))
    assert [(p.community, p.starts_on, p.ends_on) for p in history] == [
        (mob.community, datetime.date(2021, 8, 20), datetime.date(2021, 9, 30)),
        (target, datetime.date(2021, 10, 1), None),
    ]
    assert moved == history[-1]
    # The branch that was paired with the target community is now free, its pairing ended, not deleted.
    assert BranchPairing.objects.get(branch=displaced).ends_on == datetime.date(2021, 9, 30)
    assert services.paired_branch(target, datetime.date(2021, 9, 15)) == displaced
    assert services.paired_branch(target, datetime.date(2021, 10, 2)) == branch
    assert services.paired_branch(mob.community, datetime.date(2021, 10, 2)) is None


@pytest.mark.parametrize(("role", "allowed"), [(role, role in ("leader", "admin")) for role in ROLES])
def test_only_leaders_and_administrators_move_pairings(mob, role, allowed):
    branch, target = PartyBranchFactory(), CommunityFactory(street=mob.street)
    move = lambda: services.move_pairing(mob.users[role], branch, target, datetime.date(2021, 10, 1))  # noqa: E731
    if allowed:
        move()
        assert BranchPairing.objects.filter(branch=branch, community=target, ends_on=None).exists()
    else:
        with pytest.raises(Forbidden):
            move()
        assert not BranchPairing.objects.filter(branch=branch).exists()


def test_a_move_cannot_start_before_the_current_pairing_began(mob):
    branch = mob.pairings["own"].branch
    with pytest.raises(InvalidInput) as refused:
        services.move_pairing(mob.users["leader"], branch, mob.other_community, datetime.date(2021, 8, 1))
    assert "starts_on" in refused.value.fields
    assert BranchPairing.objects.filter(ends_on__isnull=False).count() == 0


def test_a_move_cannot_start_in_the_future_but_may_start_today(mob):
    branch = mob.pairings["own"].branch
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as refused:
        services.move_pairing(mob.users["leader"], branch, mob.other_community, today + datetime.timedelta(days=1))
    assert "将来" in refused.value.fields["starts_on"][0]
    assert BranchPairing.objects.filter(ends_on__isnull=False).count() == 0
    moved = services.move_pairing(mob.users["leader"], branch, mob.other_community, today)
    assert services.paired_branch(mob.other_community, today) == branch == moved.branch


def test_pairing_a_branch_with_its_own_community_again_is_a_conflict(mob):
    pairing = mob.pairings["own"]
    with pytest.raises(Conflict):
        services.move_pairing(mob.users["leader"], pairing.branch, pairing.community, datetime.date(2021, 10, 1))


# --- activities and their outcomes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "own_allowed", "other_allowed"),
    [
        ("staff_own", True, False),
        ("staff_other", False, True),
        ("road_chief", False, False),
        ("officer", False, False),
        ("leader", False, False),
        ("admin", True, True),
    ],
)
def test_who_records_activities_where(mob, campaign, role, own_allowed, other_allowed):
    for community, allowed in ((mob.community, own_allowed), (mob.other_community, other_allowed)):
        if allowed:
            assert record(mob.users[role], community, campaign).community == community
        else:
            with pytest.raises(Forbidden):
                record(mob.users[role], community, campaign)
    assert Activity.objects.count() == own_allowed + other_allowed


def test_an_activity_defaults_to_the_branch_paired_on_its_day(mob, campaign):
    activity = record(mob.users["staff_own"], mob.community, campaign)
    assert activity.branch == mob.pairings["own"].branch


def test_outcomes_become_tally_entries_counted_in_the_campaign_and_dashboard(mob, campaign, stairwells):
    garbage = MetricFactory(code="garbage_cleared", name="清运垃圾", unit="吨")
    filters = DashboardFilters(drive=campaign.drive, campaign=campaign)
    before = {row["metric"]: row["total"] for row in tally_totals(filters)}
    activity = record(
        mob.users["staff_own"], mob.community, campaign, tally={stairwells: Decimal("12"), garbage: Decimal("3")}
    )
    after = {row["metric"]: row["total"] for row in tally_totals(filters)}
    assert after["stairwells_cleaned"] - before["stairwells_cleaned"] == Decimal("12")
    assert after["garbage_cleared"] - before["garbage_cleared"] == Decimal("3")
    entries = TallyEntry.objects.filter(activity=activity)
    assert {(e.community, e.campaign, e.date) for e in entries} == {
        (mob.community, campaign, datetime.date(2021, 8, 28))
    }


def test_correcting_outcomes_voids_the_old_entries_and_keeps_them(mob, campaign, stairwells):
    user = mob.users["staff_own"]
    activity = record(user, mob.community, campaign, tally={stairwells: Decimal("12")})
    services.save_activity(
        user,
        activity,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        community=activity.community,
        campaign=campaign,
        tally={stairwells: Decimal("10")},
    )
    entries = TallyEntry.objects.filter(activity=activity)
    assert sorted((e.quantity, e.voided_at is None) for e in entries) == [(Decimal("10"), True), (Decimal("12"), False)]
    filters = DashboardFilters(drive=campaign.drive, campaign=campaign)
    assert {row["metric"]: row["total"] for row in tally_totals(filters)}["stairwells_cleaned"] == Decimal("10.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"ends_at": SATURDAY}, "ends_at"),
        ({"ends_at": SATURDAY + datetime.timedelta(hours=30)}, "ends_at"),
        (
            {
                "starts_at": timezone.now() + datetime.timedelta(days=2),
                "ends_at": timezone.now() + datetime.timedelta(days=3),
            },
            "starts_at",
        ),
    ],
)
def test_a_wrong_activity_is_refused_and_nothing_is_saved(mob, campaign, change, field):
    with pytest.raises(InvalidInput) as refused:
        record(mob.users["staff_own"], mob.community, campaign, **change)
    assert field in refused.value.fields
    assert not Activity.objects.exists()


def test_only_resolved_cases_of_the_same_community_can_be_linked(mob, campaign):
    resolved = CaseFactory(community=mob.community, street=mob.street, state=CaseState.RESOLVED)
    open_case = CaseFactory(community=mob.community, street=mob.street, state=CaseState.DISPATCHED)
    elsewhere = CaseFactory(state=CaseState.CLOSED)
    filed_later = CaseFactory(community=mob.community, street=mob.street, state=CaseState.CLOSED)
    Case.objects.exclude(pk=filed_later.pk).update(created_at=SATURDAY - datetime.timedelta(days=3))
    resolved.refresh_from_db()
    for bad in (open_case, elsewhere, filed_later):
        with pytest.raises(InvalidInput) as refused:
            record(mob.users["staff_own"], mob.community, campaign, cases=[resolved, bad])
        assert bad.number in refused.value.fields["cases"][0]
    activity = record(mob.users["staff_own"], mob.community, campaign, cases=[resolved])
    assert list(activity.cases.all()) == [resolved]
    assert Activity.objects.count() == 1


# --- participants and hours -------------------------------------------------------------------------


def test_participants_hours_add_up_and_a_second_entry_replaces_the_hours(mob, campaign):
    activity = record(mob.users["staff_own"], mob.community, campaign)
    first, second = VolunteerFactory(community=mob.community), VolunteerFactory(community=mob.community)
    assert services.add_participants(
        mob.users["staff_own"], activity, [(first, Decimal("3")), (second, Decimal("2.5"))]
    ) == (2, 0)
    assert services.add_participants(mob.users["staff_own"], activity, [(first, Decimal("2"))]) == (0, 1)
    assert {p.volunteer_id: p.hours for p in Participation.objects.filter(activity=activity)} == {
        first.pk: Decimal("2"),
        second.pk: Decimal("2.5"),
    }
    totals = mobilisation(DashboardFilters(drive=campaign.drive))
    assert (totals["people_times"], totals["hours"], totals["activities"]) == (2, Decimal("4.5"), 1)


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        (Decimal("3.5"), "more than the activity lasts"),  # a 3-hour clean-up
        (Decimal("0"), "more than zero"),
        (Decimal("-1"), "more than zero"),
        (Decimal("1.25"), "half hours"),
        (None, "Give the hours"),
    ],
)
def test_hours_beyond_the_activity_or_not_in_half_hours_are_refused(mob, campaign, hours, problem):
    from django.utils import translation

    translation.activate("en")
    activity = record(mob.users["staff_own"], mob.community, campaign)
    volunteer = VolunteerFactory(community=mob.community)
    good = VolunteerFactory(community=mob.community)
    with pytest.raises(InvalidInput) as refused:
        services.add_participants(mob.users["staff_own"], activity, [(good, Decimal("2")), (volunteer, hours)])
    assert problem in refused.value.fields["hours"][0]
    assert not Participation.objects.exists()


def shorten_to_two_hours(user, activity: Activity) -> Activity:
    """Correct the activity to end two hours after it starts, changing nothing else."""
    return services.save_activity(
        user,
        activity,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.starts_at + datetime.timedelta(hours=2),
        community=activity.community,
        campaign=activity.campaign,
    )


def test_an_activity_cannot_be_shortened_below_a_participants_hours(mob, campaign):
    user = mob.users["staff_own"]
    activity = record(user, mob.community, campaign)
    services.add_participants(user, activity, [(VolunteerFactory(community=mob.community), Decimal("3"))])
    with pytest.raises(InvalidInput):
        shorten_to_two_hours(user, activity)
    activity.refresh_from_db()
    assert activity.ends_at - activity.starts_at == datetime.timedelta(hours=3)


def test_hours_are_checked_against_the_activity_as_saved_not_a_copy_read_earlier(mob, campaign):
    # An import (or a second tab) read the 3-hour activity; meanwhile it was corrected to 2 hours.
    user = mob.users["staff_own"]
    activity = record(user, mob.community, campaign)
    read_earlier = Activity.objects.get(pk=activity.pk)
    shorten_to_two_hours(user, activity)
    with pytest.raises(InvalidInput):
        services.add_participants(user, read_earlier, [(VolunteerFactory(community=mob.community), Decimal("3"))])
    assert not Participation.objects.exists()


def test_staff_of_another_street_cannot_add_participants(mob, campaign):
    activity = record(mob.users["staff_own"], mob.community, campaign)
    with pytest.raises(Forbidden):
        services.add_participants(mob.users["staff_other"], activity, [(VolunteerFactory(), Decimal("2"))])
    assert not Participation.objects.exists()


# --- volunteers -----------------------------------------------------------------------------------


def test_street_staff_register_volunteers_only_in_their_street(mob):
    data = {"name": "王建国", "phone": "13900001111", "community": mob.other_community, "is_party_member": False}
    with pytest.raises(Forbidden):
        services.save_volunteer(mob.users["staff_own"], None, data)
    volunteer = services.save_volunteer(mob.users["staff_own"], None, {**data, "community": mob.community})
    assert volunteer.pk and volunteer.record_token
    # Moving one's volunteer to another street's community is not theirs to do either.
    with pytest.raises(Forbidden):
        services.save_volunteer(mob.users["staff_own"], volunteer, {"community": mob.other_community})
    volunteer.refresh_from_db()
    assert volunteer.community == mob.community


def test_a_resident_has_no_branch_and_a_bad_phone_is_refused(mob):
    branch = mob.pairings["own"].branch
    data = {
        "name": "赵敏",
        "phone": "13900002222",
        "community": mob.community,
        "is_party_member": False,
        "branch": branch,
    }
    # A branch for a non-member is refused on the field (it used to be cleared silently; issue 14).
    with pytest.raises(InvalidInput) as refused:
        services.save_volunteer(mob.users["staff_own"], None, data)
    assert refused.value.fields == {"branch": [services.branch_error(False, branch)]}
    assert not Volunteer.objects.filter(phone="13900002222").exists()
    assert services.save_volunteer(mob.users["staff_own"], None, {**data, "branch": None}).branch is None
    with pytest.raises(InvalidInput) as refused:
        services.save_volunteer(mob.users["staff_own"], None, {**data, "branch": None, "phone": "12345"})
    assert "phone" in refused.value.fields
