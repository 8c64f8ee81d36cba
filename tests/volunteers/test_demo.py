"""`seed_demo`'s 1+1 mobilisation: volunteers of every community and the weekend clean-ups of the 111 pairings."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, Prefetch, Sum
from django.test import Client
from django.utils import timezone

from cases.models import Case, Drive, TallyEntry
from communities.models import Community, Compound
from volunteers.models import Activity, BranchPairing, Participation, Volunteer
from volunteers.services import LINKABLE_CASE_STATES, hours_limit

pytestmark = pytest.mark.django_db


def first_weekend() -> set[datetime.date]:
    """The Saturday and Sunday after the drive's first day (a Tuesday, as on 24 August 2021)."""
    starts_on = Drive.objects.get().starts_on
    assert starts_on.weekday() == 1
    return {starts_on + datetime.timedelta(days=4), starts_on + datetime.timedelta(days=5)}


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def activity_record() -> list[tuple]:
    """Every activity with its branch, participants (by phone) and counted tally, as comparable values."""
    activities = Activity.objects.select_related("community", "campaign", "branch").prefetch_related(
        Prefetch("participations", queryset=Participation.objects.select_related("volunteer")),
        Prefetch("tally_entries", queryset=TallyEntry.objects.select_related("metric")),
        "cases",
    )
    return sorted(
        (
            activity.community.code,
            activity.starts_at,
            activity.ends_at,
            activity.title,
            activity.campaign.slug,
            activity.branch.name if activity.branch else None,
            activity.description,
            sorted((part.volunteer.phone, part.hours) for part in activity.participations.all()),
            sorted(
                (entry.metric.code, entry.quantity, entry.date)
                for entry in activity.tally_entries.all()
                if entry.voided_at is None
            ),
            sorted(case.number for case in activity.cases.all()),
        )
        for activity in activities
    )


def test_every_current_pairing_cleaned_up_on_the_first_weekend(demo):
    pairings = BranchPairing.objects.filter(ends_on__isnull=True)
    weekend = first_weekend()
    assert pairings.count() == 111
    for pairing in pairings.select_related("branch", "community"):
        days = {
            activity.date for activity in Activity.objects.filter(community=pairing.community, branch=pairing.branch)
        }
        assert days & weekend, pairing


def test_activities_are_weekend_mornings_or_afternoons_of_the_drive(demo):
    activities = list(Activity.objects.select_related("campaign__drive"))
    assert len(activities) >= 300
    for activity in activities:
        local = timezone.localtime(activity.starts_at)
        assert local.weekday() in (5, 6), activity
        assert activity.campaign.drive.starts_on <= activity.date <= activity.campaign.drive.ends_on, activity
        assert datetime.timedelta(hours=2) <= activity.ends_at - activity.starts_at <= datetime.timedelta(hours=3)
        assert activity.title.startswith("党群1+1联民 周末环境整治："), activity
    weekend = first_weekend()
    later = {activity.community_id for activity in activities if activity.date not in weekend}
    # Most communities, not all, came back on later weekends; none more than four times in all.
    assert 0 < len(later) < 111
    per_community = Counter(activity.community_id for activity in activities)
    assert set(per_community.values()) <= {1, 2, 3, 4}
    # Stairwell cleaning leads, compounds and courtyards come too.
    campaigns = Counter(activity.campaign.slug for activity in activities)
    assert campaigns.most_common(1)[0][0] == "stairwell-cleaning"
    assert {"residential-compounds", "courtyards-and-markets"} <= set(campaigns)


def test_titles_name_a_compound_or_courtyard_of_the_community(demo):
    compounds = {}
    for compound in Compound.objects.all():
        compounds.setdefault(compound.community_id, set()).add(compound.name)
    for activity in Activity.objects.all():
        place = activity.title.split("：", 1)[1].split(" ", 1)[0]
        assert place in compounds[activity.community_id], activity.title


def test_participants_are_the_communitys_volunteers_with_hours_within_the_activity(demo):
    activities = Activity.objects.annotate(people=Count("participations"))
    assert all(4 <= activity.people <= 10 for activity in activities)
    parts = Participation.objects.select_related("activity", "volunteer")
    for part in parts:
        assert part.volunteer.community_id == part.activity.community_id, part
        assert Decimal("2") <= part.hours <= hours_limit(part.activity.starts_at, part.activity.ends_at), part


def test_about_ten_volunteers_per_community_most_of_them_party_members_of_its_branch(demo):
    assert Volunteer.objects.count() == 1110
    assert Volunteer.objects.values("phone").distinct().count() == 1110
    paired = dict(BranchPairing.objects.filter(ends_on__isnull=True).values_list("community_id", "branch_id"))
    for community in Community.objects.annotate(people=Count("volunteers")):
        assert community.people == 10, community
    for volunteer in Volunteer.objects.all():
        if volunteer.is_party_member:
            assert volunteer.branch_id == paired[volunteer.community_id], volunteer
        else:
            assert volunteer.branch_id is None, volunteer
    members = Counter(Volunteer.objects.filter(is_party_member=True).values_list("community_id", flat=True))
    assert set(members.values()) == {6}


def test_each_activity_counts_its_outcomes_in_its_campaigns_tally(demo):
    for activity in Activity.objects.prefetch_related("tally_entries"):
        entries = [entry for entry in activity.tally_entries.all() if entry.voided_at is None]
        assert entries, activity
        for entry in entries:
            assert entry.quantity > 0
            assert (entry.campaign_id, entry.community_id, entry.date) == (
                activity.campaign_id,
                activity.community_id,
                activity.date,
            )
    codes = set(TallyEntry.objects.counted().filter(activity__isnull=False).values_list("metric__code", flat=True))
    assert {"stairwells_cleaned", "debris_piles_removed", "garbage_cleared", "zombie_cars_removed"} <= codes


def test_the_dashboard_shows_the_mobilisation_and_tally_the_rows_add_up_to(demo):
    parts = Participation.objects.all()
    expected = {
        "branches": Activity.objects.exclude(branch=None).values("branch").distinct().count(),
        "volunteers": parts.values("volunteer").distinct().count(),
        "activities": Activity.objects.count(),
        "people_times": parts.count(),
        "hours": float(parts.aggregate(total=Sum("hours"))["total"]),
    }
    assert all(expected.values())
    assert expected["branches"] == 111
    client = client_of("leader")
    body = client.get("/api/v1/dashboard/").json()
    assert body["mobilisation"] == expected
    content = client.get("/dashboard/").content.decode()
    section = content.split('data-testid="mobilisation"')[1].split("</section>")[0]
    shown = [float(value.replace(",", "")) for value in re.findall(r'figure-value">([\d.,]+)<', section)]
    assert shown == list(expected.values())
    totals = {
        row["metric__code"]: row["total"]
        for row in TallyEntry.objects.counted().values("metric__code").annotate(total=Sum("quantity"))
    }
    from_activities = TallyEntry.objects.counted().filter(activity__isnull=False)
    stairwells = from_activities.filter(metric__code="stairwells_cleaned").aggregate(total=Sum("quantity"))["total"]
    assert stairwells > 0
    shown_tally = {row["metric"]: Decimal(str(row["total"])) for row in body["tally"] if row["total"]}
    assert shown_tally == totals
    assert shown_tally["stairwells_cleaned"] >= stairwells


def test_clean_ups_claim_resolved_cases_of_their_own_community(demo):
    # The sample cases are filed in the drive's recent weeks, among its clean-ups: a clean-up may
    # only claim a case filed before it ended.
    linked = Case.objects.filter(activities__isnull=False).prefetch_related("activities")
    for case in linked:
        assert case.state in LINKABLE_CASE_STATES, case.number
        assert {activity.community_id for activity in case.activities.all()} == {case.community_id}
        assert case.activities.count() == 1, case.number
        assert all(case.created_at <= activity.ends_at for activity in case.activities.all()), case.number


def test_cases_and_clean_ups_fall_in_the_running_drive_and_the_latest_week_has_both(demo):
    drive = Drive.objects.get()
    today = timezone.localdate()
    assert drive.starts_on <= today - datetime.timedelta(weeks=4) and drive.ends_on >= today
    days = [activity.date for activity in Activity.objects.all()]
    filed = [timezone.localdate(moment) for moment in Case.objects.values_list("created_at", flat=True)]
    assert drive.starts_on <= min(days) and max(days) < today
    assert drive.starts_on <= min(filed) and max(filed) <= today
    # The weekly bulletin's default period: the last 7 days, today included (whatever the weekday).
    week_start = today - datetime.timedelta(days=6)
    assert any(day >= week_start for day in days) and any(day >= week_start for day in filed)


def test_a_second_run_changes_no_activity(demo):
    before = activity_record()
    call_command("seed_demo", verbosity=0)
    assert activity_record() == before


def test_a_database_seeded_before_the_activities_gets_the_same_ones(demo):
    """An older demo (four volunteers per community, no activity) is brought up to the same mobilisation."""
    before = activity_record()
    first_four = list(Volunteer.objects.filter(phone__regex=r"000[0-3]$").order_by("phone").values())
    assert len(first_four) == 444
    activities = Activity.objects.all()
    TallyEntry.objects.filter(activity__in=activities).delete()
    Participation.objects.all().delete()
    for activity in activities:
        activity.cases.clear()
    activities.delete()
    Volunteer.objects.exclude(phone__regex=r"000[0-3]$").delete()
    call_command("seed_demo", verbosity=0)
    assert activity_record() == before
    assert list(Volunteer.objects.filter(phone__regex=r"000[0-3]$").order_by("phone").values()) == first_four
    assert Volunteer.objects.count() == 1110
