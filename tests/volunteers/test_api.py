"""The mobilisation API: party branches and pairings, volunteers, activities and leaderboards (DESIGN.md §6, issue 7).

Uses the small world of tests/volunteers/conftest.py (`mob`: two streets, a paired branch in each, one user
of every role).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.choices import CaseState
from cases.models import Case, TallyEntry
from tests.cases.test_api import assert_error, token_client
from tests.factories import (
    ActivityFactory,
    BranchPairingFactory,
    CaseFactory,
    CommunityFactory,
    TallyEntryFactory,
    UserFactory,
    VolunteerFactory,
)
from volunteers.models import Activity, BranchPairing, Participation, Volunteer

ROLES = ("staff_own", "staff_other", "road_chief", "officer", "leader", "admin")
# Whose volunteers and activities each role records ("own": the community of staff_own's street).
MANAGES = {
    "staff_own": {"own"},
    "staff_other": {"other"},
    "road_chief": set(),
    "officer": set(),
    "leader": set(),
    "admin": {"own", "other"},
}
MOVES_PAIRINGS = {"leader", "admin"}
# Who sees a volunteer of the "own" community with the whole phone: only the staff of its street.
SEES_FULL_PHONE = {"staff_own"}

CONTRACT = {
    "party-branches": {"id", "name", "community", "members"},
    "volunteers": {"id", "name", "phone", "community", "is_party_member", "branch"},
    "activities": {"id", "title", "date", "community", "campaign", "branch", "participants", "tally"},
    "leaderboards/branches": {"rank", "id", "name", "community", "activities", "people_times", "hours"},
    "leaderboards/volunteers": {"rank", "id", "name", "community", "activities", "hours"},
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def hours_ago(hours: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours)


def activity_body(community, campaign, **extra) -> dict:
    """A valid activity of last weekend-ish: three hours, two days ago."""
    return {
        "title": "周末楼道大扫除",
        "starts_at": hours_ago(51).isoformat(),
        "ends_at": hours_ago(48).isoformat(),
        "community": community.pk,
        "campaign": campaign.slug,
        **extra,
    }


def names_field(error: dict, field: str) -> bool:
    """Whether an error body marks the field (nested fields are reported as `field.0.inner`)."""
    return any(name == field or name.startswith(f"{field}.") for name in error.get("fields", {}))


def served(activity, volunteer, hours: str = "2") -> Participation:
    return Participation.objects.create(activity=activity, volunteer=volunteer, hours=Decimal(hours))


# --- reading: the contract, visibility, masking -----------------------------------------------------------


@pytest.mark.parametrize("resource", list(CONTRACT))
def test_each_list_has_the_fields_of_the_contract(mob, campaign, stairwells, resource):
    volunteer = VolunteerFactory(community=mob.community)
    activity = ActivityFactory(community=mob.community, campaign=campaign, branch=mob.pairings["own"].branch)
    served(activity, volunteer)
    TallyEntryFactory(activity=activity, metric=stairwells, community=mob.community, campaign=campaign, quantity=3)
    response = api(mob.users["leader"]).get(f"/api/v1/{resource}/")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert rows
    assert CONTRACT[resource] <= set(rows[0])
    assert "phone" not in rows[0] or resource == "volunteers"


def test_a_branch_names_the_community_it_is_paired_with_now_and_its_volunteers(mob):
    pairing = mob.pairings["own"]
    VolunteerFactory.create_batch(2, community=mob.community, is_party_member=True, branch=pairing.branch)
    body = api(mob.users["officer"]).get(f"/api/v1/party-branches/{pairing.branch.pk}/").json()
    assert body["community"] == mob.community.pk
    assert body["community_name"] == mob.community.name
    assert body["paired_since"] == pairing.starts_on.isoformat()
    assert body["members"] == pairing.branch.member_count
    assert body["volunteers"] == 2


def test_an_activity_shows_participants_tally_and_the_cases_it_resolved(mob, campaign, stairwells):
    volunteer = VolunteerFactory(community=mob.community)
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    served(activity, volunteer, "2.5")
    case = CaseFactory(community=mob.community, state=CaseState.CLOSED)
    activity.cases.add(case)
    TallyEntryFactory(activity=activity, metric=stairwells, community=mob.community, campaign=campaign, quantity=12)
    body = api(mob.users["road_chief"]).get(f"/api/v1/activities/{activity.pk}/").json()
    assert body["campaign"] == campaign.slug
    assert body["date"] == timezone.localdate(activity.starts_at).isoformat()
    assert body["participants"] == [{"volunteer": volunteer.pk, "hours": "2.5"}]
    assert body["tally"] == {"stairwells_cleaned": "12.00"}
    assert body["cases"] == [case.number]
    assert (body["people"], body["hours"]) == (1, "2.5")


@pytest.mark.parametrize("role", ROLES)
def test_a_volunteers_phone_is_whole_only_for_the_staff_of_their_street(mob, role):
    volunteer = VolunteerFactory(community=mob.community, phone="13812341234")
    client = api(mob.users[role])
    expected = "13812341234" if role in SEES_FULL_PHONE else "138****1234"
    assert client.get(f"/api/v1/volunteers/{volunteer.pk}/").json()["phone"] == expected
    assert client.get("/api/v1/volunteers/").json()["results"][0]["phone"] == expected


def test_the_volunteer_leaderboard_shows_no_phone(mob, campaign):
    volunteer = VolunteerFactory(community=mob.community, phone="13812341234")
    served(ActivityFactory(community=mob.community, campaign=campaign), volunteer)
    row = api(mob.users["staff_own"]).get("/api/v1/leaderboards/volunteers/").json()["results"][0]
    assert "13812341234" not in str(row) and "phone" not in row
    assert row["name"] == volunteer.name


@pytest.mark.parametrize(
    "path",
    [
        "party-branches/",
        "volunteers/",
        "activities/",
        "leaderboards/branches/",
        "leaderboards/volunteers/",
    ],
)
def test_only_staff_read_the_mobilisation(mob, path):
    assert_error(APIClient().get(f"/api/v1/{path}"), 401, "not_authenticated")
    assert_error(api(UserFactory()).get(f"/api/v1/{path}"), 403, "forbidden")
    assert token_client(mob.users["road_chief"]).get(f"/api/v1/{path}").status_code == 200


def test_the_lists_filter_with_the_pages_filters(mob, campaign):
    own = VolunteerFactory(community=mob.community, name="张三", is_party_member=True)
    VolunteerFactory(community=mob.other_community, name="李四")
    client = api(mob.users["leader"])
    by_street = client.get(f"/api/v1/volunteers/?street={mob.street.pk}").json()["results"]
    assert [row["id"] for row in by_street] == [own.pk]
    assert [row["id"] for row in client.get("/api/v1/volunteers/?is_party_member=true").json()["results"]] == [own.pk]
    ActivityFactory(community=mob.community, campaign=campaign)
    ActivityFactory(community=mob.other_community)
    activities = client.get(f"/api/v1/activities/?campaign={campaign.slug}").json()["results"]
    assert [row["community"] for row in activities] == [mob.community.pk]
    branches = client.get(f"/api/v1/party-branches/?community={mob.other_community.pk}").json()["results"]
    assert [row["id"] for row in branches] == [mob.pairings["other"].branch.pk]
    assert_error(client.get("/api/v1/activities/?campaign=no-such-campaign"), 400, "validation_error")


# --- writing: who may ---------------------------------------------------------------------------------------


def _community(mob, place: str):
    return mob.community if place == "own" else mob.other_community


def create_volunteer(client, mob, place, campaign):
    body = {"name": "王五", "phone": "13900001111", "community": _community(mob, place).pk}
    return client.post("/api/v1/volunteers/", body, format="json")


def edit_volunteer(client, mob, place, campaign):
    volunteer = VolunteerFactory(community=_community(mob, place), name="王五")
    return client.patch(f"/api/v1/volunteers/{volunteer.pk}/", {"name": "王小五"}, format="json")


def create_activity(client, mob, place, campaign):
    volunteer = VolunteerFactory(community=_community(mob, place))
    body = activity_body(_community(mob, place), campaign, participants=[{"volunteer": volunteer.pk, "hours": "2"}])
    return client.post("/api/v1/activities/", body, format="json")


def edit_activity(client, mob, place, campaign):
    activity = ActivityFactory(community=_community(mob, place), campaign=campaign)
    return client.patch(f"/api/v1/activities/{activity.pk}/", {"title": "改过的标题"}, format="json")


def add_participants(client, mob, place, campaign):
    activity = ActivityFactory(community=_community(mob, place), campaign=campaign)
    volunteer = VolunteerFactory(community=_community(mob, place))
    return client.post(
        f"/api/v1/activities/{activity.pk}/participants/", [{"volunteer": volunteer.pk, "hours": "1.5"}], format="json"
    )


WRITES = {
    "create_volunteer": (create_volunteer, 201),
    "edit_volunteer": (edit_volunteer, 200),
    "create_activity": (create_activity, 201),
    "edit_activity": (edit_activity, 200),
    "add_participants": (add_participants, 200),
}


def snapshot() -> tuple:
    """What a refused write must leave unchanged."""
    return (
        list(Volunteer.objects.order_by("pk").values_list("pk", "name", "phone")),
        list(Activity.objects.order_by("pk").values_list("pk", "title")),
        Participation.objects.count(),
        TallyEntry.objects.count(),
    )


@pytest.mark.parametrize("place", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES))
def test_only_the_communitys_street_staff_and_administrators_write(mob, campaign, write, role, place):
    send, success = WRITES[write]
    response = send(api(mob.users[role]), mob, place, campaign)
    if place in MANAGES[role]:
        assert response.status_code == success, response.content
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", [role for role in ROLES if "own" not in MANAGES[role]])
def test_a_refused_write_changes_nothing(mob, campaign, role):
    volunteer = VolunteerFactory(community=mob.community, name="王五")
    activity = ActivityFactory(community=mob.community, campaign=campaign, title="原标题")
    client = api(mob.users[role])
    before = snapshot()
    assert_error(
        client.post("/api/v1/volunteers/", {"name": "赵六", "phone": "13900002222", "community": mob.community.pk}),
        403,
        "forbidden",
    )
    assert_error(client.patch(f"/api/v1/volunteers/{volunteer.pk}/", {"name": "改名"}), 403, "forbidden")
    assert_error(client.post("/api/v1/activities/", activity_body(mob.community, campaign)), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/activities/{activity.pk}/", {"title": "改过"}), 403, "forbidden")
    assert_error(
        client.post(f"/api/v1/activities/{activity.pk}/participants/", [{"volunteer": volunteer.pk, "hours": "1"}]),
        403,
        "forbidden",
    )
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_leaders_and_administrators_move_pairings(mob, role):
    branch = mob.pairings["own"].branch
    target = CommunityFactory(street=mob.street)
    response = api(mob.users[role]).post(
        f"/api/v1/party-branches/{branch.pk}/pair/", {"community": target.pk, "starts_on": "2021-10-01"}
    )
    if role in MOVES_PAIRINGS:
        assert response.status_code == 200, response.content
        assert response.json()["community"] == target.pk
    else:
        assert_error(response, 403, "forbidden")
        assert BranchPairing.objects.get(branch=branch, ends_on__isnull=True).community == mob.community


def test_deleting_and_replacing_are_not_offered(mob):
    volunteer = VolunteerFactory(community=mob.community)
    client = api(mob.users["admin"])
    assert client.delete(f"/api/v1/volunteers/{volunteer.pk}/").status_code == 405
    assert client.put(f"/api/v1/volunteers/{volunteer.pk}/", {"name": "x"}).status_code == 405
    assert Volunteer.objects.filter(pk=volunteer.pk).exists()


# --- writing: what happens ------------------------------------------------------------------------------------


def test_street_staff_register_and_correct_a_volunteer(mob):
    client = api(mob.users["staff_own"])
    branch = mob.pairings["own"].branch
    created = client.post(
        "/api/v1/volunteers/",
        {
            "name": "王五",
            "phone": "13900001111",
            "community": mob.community.pk,
            "is_party_member": True,
            "branch": branch.pk,
            "skills": "电工",
            "joined_on": "2021-08-01",
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == "13900001111"
    assert created.json()["branch"] == branch.pk
    changed = client.patch(f"/api/v1/volunteers/{created.json()['id']}/", {"skills": "电工、木工"})
    assert changed.status_code == 200, changed.content
    volunteer = Volunteer.objects.get(pk=created.json()["id"])
    assert (volunteer.name, volunteer.skills, volunteer.branch) == ("王五", "电工、木工", branch)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "王五", "phone": "12345", "community": "own"}, "phone"),
        ({"name": "王五", "phone": "13800000001", "community": "own"}, "phone"),  # another volunteer's phone
        ({"name": "", "phone": "13900001111", "community": "own"}, "name"),
        ({"name": "王五", "phone": "13900001111"}, "community"),
        ({"name": "王五", "phone": "13900001111", "community": 999999}, "community"),
    ],
)
def test_a_wrong_volunteer_is_refused_with_the_field_named(mob, body, field):
    VolunteerFactory(community=mob.community, phone="13800000001")
    if body.get("community") == "own":
        body = {**body, "community": mob.community.pk}
    before = snapshot()
    response = api(mob.users["staff_own"]).post("/api/v1/volunteers/", body)
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert snapshot() == before


def test_an_activity_recorded_through_the_api_reaches_the_campaign_tally_and_dashboard(mob, campaign, stairwells):
    volunteers = VolunteerFactory.create_batch(3, community=mob.community)
    case = CaseFactory(community=mob.community, state=CaseState.RESOLVED, campaign=campaign)
    Case.objects.filter(pk=case.pk).update(created_at=hours_ago(24 * 5))  # filed before the clean-up
    body = activity_body(
        mob.community,
        campaign,
        description="清理楼道堆物",
        participants=[{"volunteer": v.pk, "hours": "3"} for v in volunteers],
        tally={stairwells.code: "12"},
        cases=[case.number],
    )
    response = api(mob.users["staff_own"]).post("/api/v1/activities/", body)
    assert response.status_code == 201, response.content
    activity = response.json()
    assert activity["branch"] == mob.pairings["own"].branch.pk  # the community's paired branch by default
    assert (activity["people"], activity["hours"], activity["cases"]) == (3, "9.0", [case.number])
    assert activity["tally"] == {stairwells.code: "12.00"}

    leader = api(mob.users["leader"])
    tally = leader.get(f"/api/v1/tally/?campaign={campaign.slug}").json()["results"]
    assert [(row["metric"], row["quantity"], row["activity"]) for row in tally] == [
        (stairwells.code, "12.00", activity["id"])
    ]
    dashboard = leader.get(f"/api/v1/dashboard/?campaign={campaign.slug}").json()
    assert {row["metric"]: row["total"] for row in dashboard["tally"]}[stairwells.code] == 12


def test_correcting_an_activitys_tally_replaces_it_and_keeps_the_rest(mob, campaign, stairwells):
    client = api(mob.users["staff_own"])
    volunteer = VolunteerFactory(community=mob.community)
    body = activity_body(mob.community, campaign, participants=[{"volunteer": volunteer.pk, "hours": "2"}])
    created = client.post("/api/v1/activities/", {**body, "tally": {stairwells.code: "5"}}).json()
    changed = client.patch(f"/api/v1/activities/{created['id']}/", {"tally": {stairwells.code: "7"}})
    assert changed.status_code == 200, changed.content
    assert changed.json()["tally"] == {stairwells.code: "7.00"}
    assert changed.json()["participants"] == [{"volunteer": volunteer.pk, "hours": "2.0"}]
    assert changed.json()["title"] == body["title"]
    retitled = client.patch(f"/api/v1/activities/{created['id']}/", {"title": "新标题"}).json()
    assert retitled["tally"] == {stairwells.code: "7.00"}  # a correction without a tally keeps it
    totals = TallyEntry.objects.filter(activity_id=created["id"]).counted()
    assert [entry.quantity for entry in totals] == [7]


def test_an_activity_moved_to_another_community_takes_that_communitys_branch(mob, campaign):
    activity = ActivityFactory(community=mob.community, campaign=campaign, branch=mob.pairings["own"].branch)
    moved = api(mob.users["admin"]).patch(f"/api/v1/activities/{activity.pk}/", {"community": mob.other_community.pk})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["community"], moved.json()["branch"]) == (
        mob.other_community.pk,
        mob.pairings["other"].branch.pk,
    )


def test_participants_are_added_and_their_hours_replaced(mob, campaign):
    client = api(mob.users["staff_own"])
    first, second = VolunteerFactory.create_batch(2, community=mob.community)
    body = activity_body(mob.community, campaign, participants=[{"volunteer": first.pk, "hours": "1"}])
    created = client.post("/api/v1/activities/", body).json()
    response = client.post(
        f"/api/v1/activities/{created['id']}/participants/",
        [{"volunteer": first.pk, "hours": "2.5"}, {"volunteer": second.pk, "hours": "3"}],
    )
    assert response.status_code == 200, response.content
    assert sorted((row["volunteer"], row["hours"]) for row in response.json()["participants"]) == sorted(
        [(first.pk, "2.5"), (second.pk, "3.0")]
    )


def test_a_bad_participant_saves_nothing_of_the_activity(mob, campaign, stairwells):
    good, bad = VolunteerFactory.create_batch(2, community=mob.community)
    body = activity_body(
        mob.community,
        campaign,
        participants=[{"volunteer": good.pk, "hours": "3"}, {"volunteer": bad.pk, "hours": "4"}],  # it lasted 3 hours
        tally={stairwells.code: "12"},
    )
    response = api(mob.users["staff_own"]).post("/api/v1/activities/", body)
    error = assert_error(response, 400, "validation_error")
    assert bad.name in " ".join(error["fields"]["participants"])
    assert not Activity.objects.exists()
    assert not Participation.objects.exists()
    assert not TallyEntry.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tally": {"no_such_metric": "3"}}, "tally"),
        ({"tally": {"stairwells\x00cleaned": "3"}}, "tally"),  # PostgreSQL refuses a NUL in a query
        ({"tally": {"stairwells_cleaned": "0"}}, "tally"),
        ({"participants": [{"volunteer": 999999, "hours": "1"}]}, "participants"),
        ({"participants": [{"volunteer": "me", "hours": "1"}]}, "participants"),
        ({"cases": ["SH-1999-999999"]}, "cases"),
        ({"cases": ["open"]}, "cases"),  # an open case of the community: its work is not done
        ({"campaign": "no-such-campaign"}, "campaign"),
        ({"ends_at": "past"}, "ends_at"),  # ends before it starts
        ({"starts_at": "future", "ends_at": "future"}, "starts_at"),  # not taken place yet
        ({"starts_at": "9999-12-31T23:00:00+08:00"}, "starts_at"),
    ],
)
def test_a_wrong_activity_is_refused_with_the_field_named(mob, campaign, stairwells, change, field):
    volunteer = VolunteerFactory(community=mob.community)
    open_case = CaseFactory(community=mob.community, state=CaseState.DISPATCHED)
    body = activity_body(mob.community, campaign, participants=[{"volunteer": volunteer.pk, "hours": "1"}])
    body |= change
    if body.get("cases") == ["open"]:
        body["cases"] = [open_case.number]
    if body["ends_at"] == "past":
        body["ends_at"] = hours_ago(60).isoformat()
    if body["starts_at"] == "future":
        body["starts_at"], body["ends_at"] = (
            (timezone.now() + datetime.timedelta(hours=h)).isoformat() for h in (24, 26)
        )
    response = api(mob.users["staff_own"]).post("/api/v1/activities/", body)
    assert names_field(assert_error(response, 400, "validation_error"), field)
    assert not Activity.objects.exists()


def test_a_participants_body_must_be_a_list_of_known_volunteers(mob, campaign):
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    client = api(mob.users["staff_own"])
    url = f"/api/v1/activities/{activity.pk}/participants/"
    assert_error(client.post(url, {"volunteer": 1, "hours": "1"}), 400, "validation_error")
    assert_error(client.post(url, []), 400, "validation_error")
    volunteer = VolunteerFactory(community=mob.community)
    twice = [{"volunteer": volunteer.pk, "hours": "1"}] * 2
    assert "participants" in assert_error(client.post(url, twice), 400, "validation_error")["fields"]
    assert not Participation.objects.exists()


# --- pairings ---------------------------------------------------------------------------------------------


def test_moving_a_branch_keeps_its_pairing_history_newest_first(mob):
    branch = mob.pairings["own"].branch
    target = CommunityFactory(street=mob.street, name="新华社区")
    leader = api(mob.users["leader"])
    moved = leader.post(
        f"/api/v1/party-branches/{branch.pk}/pair/",
        {"community": target.pk, "starts_on": "2021-10-01", "kind": "one_plus_one"},
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["community"], moved.json()["paired_since"]) == (target.pk, "2021-10-01")
    history = leader.get(f"/api/v1/party-branches/{branch.pk}/pairings/").json()["results"]
    assert [(row["community"], row["starts_on"], row["ends_on"], row["kind"]) for row in history] == [
        (target.pk, "2021-10-01", None, "one_plus_one"),
        (mob.community.pk, "2021-08-20", "2021-09-30", "point_to_point"),
    ]
    assert history[0]["community_name"] == "新华社区"


def test_a_pairing_that_cannot_be_is_refused(mob):
    branch = mob.pairings["own"].branch
    leader = api(mob.users["leader"])
    url = f"/api/v1/party-branches/{branch.pk}/pair/"
    again = leader.post(url, {"community": mob.community.pk, "starts_on": "2021-10-01"})
    assert_error(again, 409, "conflict")
    too_early = leader.post(url, {"community": mob.other_community.pk, "starts_on": "2021-08-01"})
    assert "starts_on" in assert_error(too_early, 400, "validation_error")["fields"]
    assert BranchPairing.objects.count() == 2


# --- leaderboards ---------------------------------------------------------------------------------------


@pytest.fixture
def board(mob, campaign):
    """Three branches: A gives 6 hours in one activity (3 people), B 8 hours in two (2 people-times), C nothing."""
    a, b = mob.pairings["own"].branch, mob.pairings["other"].branch
    c = BranchPairingFactory(community=CommunityFactory(street=mob.street)).branch
    people = [VolunteerFactory(community=mob.community, name=f"志愿者{n}") for n in (1, 2, 3)]
    first = ActivityFactory(community=mob.community, campaign=campaign, branch=a)
    for volunteer in people:
        served(first, volunteer, "2")
    second = ActivityFactory(community=mob.other_community, campaign=campaign, branch=b)
    third = ActivityFactory(
        community=mob.other_community,
        campaign=campaign,
        branch=b,
        starts_at=datetime.datetime(2021, 9, 4, 8, tzinfo=datetime.UTC),
    )
    served(second, people[0], "3")
    served(third, people[1], "3")
    served(third, people[2], "2")
    return {"a": a, "b": b, "c": c, "people": people}


@pytest.mark.parametrize(
    ("order_by", "expected"),
    [
        ("hours", [("b", 1, "8.0"), ("a", 2, "6.0"), ("c", 3, "0.0")]),
        ("people_times", [("b", 1, 3), ("a", 1, 3), ("c", 3, 0)]),  # a tie: more hours first
        ("activities", [("b", 1, 2), ("a", 2, 1), ("c", 3, 0)]),
    ],
)
def test_branches_are_ranked_by_the_figure_asked_for(mob, board, order_by, expected):
    rows = api(mob.users["officer"]).get(f"/api/v1/leaderboards/branches/?order_by={order_by}").json()["results"]
    names = {board[key].pk: key for key in ("a", "b", "c")}
    assert [(names[row["id"]], row["rank"], row[order_by]) for row in rows] == expected


def test_the_branch_leaderboard_takes_a_period_and_a_street(mob, board):
    client = api(mob.users["leader"])
    september = client.get("/api/v1/leaderboards/branches/?date_from=2021-09-01&date_to=2021-09-30").json()
    assert (september["results"][0]["id"], september["results"][0]["hours"]) == (board["b"].pk, "5.0")
    own_street = client.get(f"/api/v1/leaderboards/branches/?street={mob.street.pk}").json()["results"]
    assert {row["id"] for row in own_street} == {board["a"].pk, board["c"].pk}


def test_volunteers_are_ranked_by_hours(mob, board):
    rows = api(mob.users["leader"]).get("/api/v1/leaderboards/volunteers/").json()["results"]
    first, second, third = board["people"]
    # first: 2 + 3, second: 2 + 3, third: 2 + 2 — the first two share the first place.
    assert [(row["id"], row["rank"], row["hours"], row["activities"]) for row in rows] == [
        (first.pk, 1, "5.0", 2),
        (second.pk, 1, "5.0", 2),
        (third.pk, 3, "4.0", 2),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=yesterday", "date_from"),
        ("date_to=9999-12-31", "date_to"),
        ("date_from=2021-09-30&date_to=2021-09-01", "date_to"),
        ("street=999999", "street"),
        ("order_by=name", "order_by"),
    ],
)
def test_wrong_leaderboard_parameters_are_refused(mob, query, field):
    board = "branches" if field == "order_by" else "volunteers"
    response = api(mob.users["leader"]).get(f"/api/v1/leaderboards/{board}/?{query}")
    assert field in assert_error(response, 400, "validation_error")["fields"]


# --- query counts ---------------------------------------------------------------------------------------


def grow(mob, campaign, stairwells, size: int) -> None:
    """`size` more branches paired with new communities, volunteers, activities with participants, tally and cases."""
    for _ in range(size):
        community = CommunityFactory(street=mob.street)
        branch = BranchPairingFactory(community=community).branch
        volunteers = VolunteerFactory.create_batch(2, community=community, is_party_member=True, branch=branch)
        activity = ActivityFactory(community=community, campaign=campaign, branch=branch)
        for volunteer in volunteers:
            served(activity, volunteer)
        TallyEntryFactory(activity=activity, metric=stairwells, community=community, campaign=campaign)
        activity.cases.add(CaseFactory(community=community, state=CaseState.CLOSED))


LISTS = [
    "party-branches/",
    "volunteers/",
    "activities/",
    "leaderboards/branches/",
    "leaderboards/volunteers/",
    "party-branches/{branch}/pairings/",
]


@pytest.mark.parametrize("path", LISTS)
def test_lists_take_a_bounded_number_of_queries(mob, campaign, stairwells, path, django_assert_max_num_queries):
    client = api(mob.users["staff_own"])
    url = "/api/v1/" + path.format(branch=mob.pairings["own"].branch.pk)
    for size in (2, 15):
        grow(mob, campaign, stairwells, size)
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.status_code == 200
        assert response.json()["results"]
