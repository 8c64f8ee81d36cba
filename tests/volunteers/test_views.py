"""Volunteer pages: lists with filters and exports, volunteers, branches and pairings, activities, leaderboards."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from cases.choices import CaseState
from cases.models import Case, TallyEntry
from tests.factories import (
    ActivityFactory,
    BranchPairingFactory,
    CaseFactory,
    CommunityFactory,
    PartyBranchFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.utils import check_htmx_invalid_filters, check_htmx_results
from tests.volunteers.conftest import ROLES
from volunteers import services
from volunteers.models import Activity, BranchPairing, Participation, Volunteer
from volunteers.views import last_weekend_day

pytestmark = pytest.mark.django_db

PAGES = [
    "/volunteers/",
    "/volunteers/activities/",
    "/volunteers/branches/",
    "/volunteers/leaderboards/",
]
FULL, MASKED = "13812345678", "138****5678"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def last_saturday_morning() -> datetime.datetime:
    """The morning the activity form offers by default: the latest Saturday 08:30 that has passed."""
    saturday = last_weekend_day(timezone.localtime())
    return datetime.datetime.combine(saturday, datetime.time(8, 30), timezone.get_current_timezone())


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_a_staff_role(mob, client, url):
    assert client.get(url).status_code == 302
    roleless = Client()
    roleless.force_login(UserFactory())
    assert roleless.get(url).status_code == 403
    for role in ROLES:
        assert mob.client(role).get(url).status_code == 200, role


# --- phone masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "sees_full"), [(role, role == "staff_own") for role in ROLES])
def test_a_volunteers_full_phone_only_for_their_streets_staff(mob, volunteer, role, sees_full):
    client = mob.client(role)
    for url in ("/volunteers/", f"/volunteers/{volunteer.pk}/"):
        content = client.get(url).content.decode()
        assert (FULL in content) is sees_full, url
        assert (MASKED in content) is not sees_full, url
    rows = csv_rows(client.get("/volunteers/export.csv"))
    assert rows[1][1] == (FULL if sees_full else MASKED)


def test_the_personal_record_link_shows_the_volunteers_own_record_without_an_account(mob, volunteer, campaign, client):
    activity = services.save_activity(
        mob.users["staff_own"],
        None,
        title="周末楼道清理",
        starts_at=last_saturday_morning(),
        ends_at=last_saturday_morning() + datetime.timedelta(hours=3),
        community=mob.community,
        campaign=campaign,
    )
    services.add_participants(mob.users["staff_own"], activity, [(volunteer, Decimal("3"))])
    detail = mob.client("staff_own").get(f"/volunteers/{volunteer.pk}/").content.decode()
    link = re.search(r'data-testid="record-url"[^>]*|value="([^"]+/volunteers/record/[^"]+)"', detail)
    url = re.search(r'(/volunteers/record/[^"/]+/)', detail).group(1)
    assert link
    response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "李秀英" in content and "周末楼道清理" in content
    assert FULL not in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Other staff do not get the link; a made-up key is a 404.
    assert "/volunteers/record/" not in mob.client("leader").get(f"/volunteers/{volunteer.pk}/").content.decode()
    assert client.get("/volunteers/record/not-a-key/").status_code == 404


# --- volunteers ----------------------------------------------------------------------------------


def test_street_staff_add_a_volunteer_in_their_street_only(mob):
    client = mob.client("staff_own")
    data = {"name": "孙志强", "phone": "13900003333", "community": mob.other_community.pk, "is_party_member": ""}
    response = client.post("/volunteers/new/", data)
    assert response.status_code == 400
    assert not Volunteer.objects.filter(phone="13900003333").exists()
    response = client.post("/volunteers/new/", {**data, "community": mob.community.pk})
    volunteer = Volunteer.objects.get(phone="13900003333")
    assert response.status_code == 302 and response["Location"] == f"/volunteers/{volunteer.pk}/"


def test_a_joined_on_day_outside_the_pickers_range_is_refused_as_the_api_refuses_it(mob):
    client = mob.client("staff_own")
    client.post("/i18n/setlang/", {"language": "en"})
    data = {"name": "孙志强", "phone": "13900003333", "community": mob.community.pk, "joined_on": "0001-01-01"}
    response = client.post("/volunteers/new/", data)
    assert response.status_code == 400
    assert "Choose a day in 2000 or later" in response.content.decode()
    assert not Volunteer.objects.filter(phone="13900003333").exists()


@pytest.mark.parametrize("role", ["staff_other", "leader", "officer", "road_chief"])
def test_others_cannot_edit_a_volunteer(mob, volunteer, role):
    client = mob.client(role)
    assert client.get(f"/volunteers/{volunteer.pk}/edit/").status_code == 403
    assert client.post(f"/volunteers/{volunteer.pk}/edit/", {"name": "改名"}).status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.name == "李秀英"


def test_an_administrator_edits_a_volunteer_without_seeing_the_full_phone(mob, volunteer):
    assert FULL in mob.client("staff_own").get(f"/volunteers/{volunteer.pk}/edit/").content.decode()
    client = mob.client("admin")
    content = client.get(f"/volunteers/{volunteer.pk}/edit/").content.decode()
    assert FULL not in content and MASKED in content
    data = {"name": "李秀英（改）", "phone": MASKED, "community": mob.community.pk}
    response = client.post(f"/volunteers/{volunteer.pk}/edit/", data)
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.phone) == ("李秀英（改）", FULL)
    # A number typed in replaces the phone, as for the street's staff.
    assert client.post(f"/volunteers/{volunteer.pk}/edit/", {**data, "phone": "13900004444"}).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.phone == "13900004444"


def test_a_duplicate_phone_gets_a_message_and_saves_nothing(mob, volunteer):
    response = mob.client("staff_own").post(
        "/volunteers/new/", {"name": "重复", "phone": volunteer.phone, "community": mob.community.pk}
    )
    assert response.status_code == 400
    assert "手机号" in response.content.decode() or "phone" in response.content.decode().lower()
    assert Volunteer.objects.count() == 1


def test_the_volunteer_list_filters_and_exports_xlsx(mob, volunteer):
    VolunteerFactory(community=mob.other_community, name="周建华", is_party_member=True)
    client = mob.client("leader")
    content = client.get(f"/volunteers/?street={mob.other_street.pk}").content.decode()
    assert "周建华" in content and "李秀英" not in content
    content = client.get("/volunteers/?is_party_member=true").content.decode()
    assert "周建华" in content and "李秀英" not in content
    assert client.get("/volunteers/?is_party_member=maybe").status_code == 400
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get("/volunteers/export.xlsx?q=李秀英").streaming_content))
    )
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "李秀英" and rows[1][1] == MASKED


def test_the_volunteer_list_takes_a_bounded_number_of_queries(mob, django_assert_max_num_queries):
    client = mob.client("staff_own")
    VolunteerFactory.create_batch(3, community=mob.community)
    with django_assert_max_num_queries(12) as few:
        client.get("/volunteers/")
    VolunteerFactory.create_batch(20, community=mob.community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/volunteers/")


# --- branches and pairings -----------------------------------------------------------------------


def test_a_move_that_leaves_a_community_without_a_branch_warns_first_and_changes_nothing_until_confirmed(mob):
    branch = mob.pairings["own"].branch
    client = mob.client("leader")
    move = {"community": mob.other_community.pk, "starts_on": "2021-10-01", "kind": "point_to_point"}
    warned = client.post(f"/volunteers/branches/{branch.pk}/pair/", move)
    content = warned.content.decode()
    assert warned.status_code == 200 and 'data-testid="pairing-warning"' in content
    assert "滨河街道 · 五爱社区" in content.split('data-testid="pairing-warning"')[1].split("</div>")[0]
    assert "?paired=false" in content and 'name="confirm" value="true"' in content
    assert BranchPairing.objects.filter(ends_on__isnull=False).count() == 0  # nothing changed yet
    done = client.post(f"/volunteers/branches/{branch.pk}/pair/", move | {"confirm": "true"}, follow=True)
    assert "五爱社区 现在没有包保党支部" in done.content.decode()
    unpaired = client.get("/communities/?paired=false&street=").content.decode()
    assert "五爱社区" in unpaired and "万柳塘社区" not in unpaired
    paired = client.get("/communities/?paired=true&street=").content.decode()
    assert "五爱社区" not in paired and "万柳塘社区" in paired


def test_a_move_that_leaves_no_community_without_a_branch_needs_no_confirmation(mob):
    newcomer = PartyBranchFactory()
    response = mob.client("leader").post(
        f"/volunteers/branches/{newcomer.pk}/pair/",
        {"community": CommunityFactory(street=mob.street).pk, "starts_on": "2021-10-01", "kind": "point_to_point"},
    )
    assert response.status_code == 302


def test_a_leader_moves_a_branch_and_the_page_shows_the_history(mob):
    branch = mob.pairings["own"].branch
    response = mob.client("leader").post(
        f"/volunteers/branches/{branch.pk}/pair/",
        {"community": mob.other_community.pk, "starts_on": "2021-10-01", "kind": "point_to_point", "confirm": "true"},
    )
    assert response.status_code == 302
    content = mob.client("staff_own").get(f"/volunteers/branches/{branch.pk}/").content.decode()
    history = content[content.index('data-testid="pairing-history"') :]
    assert "五爱社区" in history and "2021-09-30" in history and "万柳塘社区" in history
    assert "Change pairing" not in content and "更换包保社区" not in content


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2100-01-01"])
def test_a_pairing_day_outside_the_pickers_range_is_refused_as_the_api_refuses_it(mob, day):
    newcomer = PartyBranchFactory()
    client = mob.client("leader")
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.post(
        f"/volunteers/branches/{newcomer.pk}/pair/",
        {"community": CommunityFactory(street=mob.street).pk, "starts_on": day, "kind": "point_to_point"},
    )
    assert response.status_code == 400
    assert "Choose a day" in response.content.decode()
    assert not BranchPairing.objects.filter(branch=newcomer).exists()


def test_the_branch_list_takes_a_bounded_number_of_queries(mob, django_assert_max_num_queries):
    client = mob.client("leader")
    for _ in range(3):
        VolunteerFactory(branch=BranchPairingFactory(community=CommunityFactory(street=mob.street)).branch)
    with django_assert_max_num_queries(10) as few:
        client.get("/volunteers/branches/")
    for _ in range(20):
        VolunteerFactory(branch=BranchPairingFactory(community=CommunityFactory(street=mob.street)).branch)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/volunteers/branches/")
    assert response.status_code == 200 and len(response.context["rows"]) == 25


@pytest.mark.parametrize("role", ["staff_own", "officer", "road_chief"])
def test_only_leaders_and_administrators_change_pairings_on_the_page(mob, role):
    branch = mob.pairings["own"].branch
    response = mob.client(role).post(
        f"/volunteers/branches/{branch.pk}/pair/", {"community": mob.other_community.pk, "starts_on": "2021-10-01"}
    )
    assert response.status_code == 403
    assert BranchPairing.objects.filter(ends_on__isnull=False).count() == 0


def test_a_wrong_pairing_date_is_explained_and_changes_nothing(mob):
    branch = mob.pairings["own"].branch
    response = mob.client("leader").post(
        f"/volunteers/branches/{branch.pk}/pair/",
        {"community": mob.other_community.pk, "starts_on": "2021-01-01", "kind": "point_to_point"},
    )
    assert response.status_code == 400
    assert "2021-08-20" in response.content.decode()
    assert BranchPairing.objects.filter(ends_on__isnull=False).count() == 0


def test_the_branch_list_shows_the_paired_community_and_exports(mob):
    client = mob.client("officer")
    content = client.get(f"/volunteers/branches/?street={mob.street.pk}").content.decode()
    assert mob.pairings["own"].branch.name in content and mob.pairings["other"].branch.name not in content
    rows = csv_rows(client.get("/volunteers/branches/export.csv"))
    assert {row[4] for row in rows[1:]} == {"五爱社区", "万柳塘社区"}


# --- activities ----------------------------------------------------------------------------------


def activity_form(mob, campaign, **overrides) -> dict:
    start = last_saturday_morning()
    data = {
        "title": "周末环境整治：五爱社区楼道清理",
        "date": start.date().isoformat(),
        "start_time": "08:30",
        "end_time": "11:30",
        "community": mob.community.pk,
        "campaign": campaign.pk,
        "branch": "",
        "description": "清理楼道杂物，清除小广告",
        "cases": "",
    }
    data.update(overrides)
    return data


def test_street_staff_record_an_activity_with_outcomes(mob, campaign, stairwells):
    resolved = CaseFactory(community=mob.community, street=mob.street, state=CaseState.RESOLVED)
    Case.objects.filter(pk=resolved.pk).update(created_at=last_saturday_morning() - datetime.timedelta(days=2))
    client = mob.client("staff_own")
    assert client.get(f"/volunteers/activities/new/?community={mob.community.pk}").status_code == 200
    response = client.post(
        "/volunteers/activities/new/",
        activity_form(mob, campaign, tally_stairwells_cleaned="12", cases=resolved.number.lower()),
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/volunteers/activities/{activity.pk}/"
    assert activity.branch == mob.pairings["own"].branch
    assert list(activity.cases.all()) == [resolved]
    assert TallyEntry.objects.get(activity=activity).quantity == Decimal("12")
    content = client.get(response["Location"]).content.decode()
    assert "清理楼道" in content and "12" in content and resolved.number in content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_time": "08:00"}, "must end after it starts"),
        ({"tally_stairwells_cleaned": "-3"}, "greater than or equal to 0.01"),
        ({"cases": "SH-2099-999999"}, "No case has the number SH-2099-999999"),
        ({"cases": "hello"}, "is not a case number"),
        ({"date": "2099-01-01"}, "once it has taken place"),
        ({"community": "999999"}, "valid choice"),
    ],
)
def test_a_wrong_activity_form_says_what_is_wrong_and_saves_nothing(mob, campaign, stairwells, change, message):
    client = mob.client("staff_own")
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.post("/volunteers/activities/new/", activity_form(mob, campaign, **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Activity.objects.exists() and not TallyEntry.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_an_activity_day_outside_the_pickers_range_is_explained_not_a_server_error(mob, campaign, stairwells, day):
    client = mob.client("staff_own")
    client.post("/i18n/setlang/", {"language": "en"})
    response = client.post("/volunteers/activities/new/", activity_form(mob, campaign, date=day, start_time="00:00"))
    assert response.status_code == 400
    assert "Choose a day in 2000 or later" in response.content.decode()
    assert not Activity.objects.exists() and not TallyEntry.objects.exists()


@pytest.mark.parametrize("role", ["staff_other", "leader", "officer", "road_chief"])
def test_others_cannot_record_or_correct_activities_here(mob, campaign, role):
    client = mob.client(role)
    response = client.post("/volunteers/activities/new/", activity_form(mob, campaign))
    assert response.status_code in (400, 403)
    assert not Activity.objects.exists()
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    assert client.post(f"/volunteers/activities/{activity.pk}/edit/", activity_form(mob, campaign)).status_code == 403


def test_participants_are_added_removed_and_exported(mob, campaign, volunteer):
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    client = mob.client("staff_own")
    response = client.post(
        f"/volunteers/activities/{activity.pk}/participants/", {"volunteer": volunteer.pk, "hours": "4"}
    )
    assert response.status_code == 400 and not Participation.objects.exists()
    response = client.post(
        f"/volunteers/activities/{activity.pk}/participants/", {"volunteer": volunteer.pk, "hours": "2.5"}
    )
    assert response.status_code == 302
    part = Participation.objects.get()
    assert part.hours == Decimal("2.5")
    book = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/volunteers/activities/{activity.pk}/participants.xlsx").streaming_content))
    )
    assert list(book.active.iter_rows(values_only=True))[1][:3] == ("李秀英", FULL, 2.5)
    assert (
        mob.client("staff_other")
        .post(f"/volunteers/activities/{activity.pk}/participants/{part.pk}/remove/")
        .status_code
        == 403
    )
    assert client.post(f"/volunteers/activities/{activity.pk}/participants/{part.pk}/remove/").status_code == 302
    assert not Participation.objects.exists()


def test_the_activity_page_takes_the_same_queries_for_3_or_30_participants(
    mob, campaign, django_assert_max_num_queries
):
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    client = mob.client("staff_own")

    def credit(count):
        for _ in range(count):
            volunteer = VolunteerFactory(community=CommunityFactory(street=mob.street), is_party_member=True)
            volunteer.branch = BranchPairingFactory(community=volunteer.community).branch
            volunteer.save()
            Participation.objects.create(activity=activity, volunteer=volunteer, hours=2)

    credit(3)
    with django_assert_max_num_queries(14) as few:
        client.get(f"/volunteers/activities/{activity.pk}/")
    credit(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/volunteers/activities/{activity.pk}/")
    assert len(response.context["participants"]) == 30


def test_the_activity_page_does_not_open_cases_the_user_may_not_see(mob, campaign):
    case = CaseFactory(community=mob.community, street=mob.street, state=CaseState.CLOSED)
    activity = ActivityFactory(community=mob.community, campaign=campaign)
    activity.cases.add(case)
    assert case.number in mob.client("staff_own").get(f"/volunteers/activities/{activity.pk}/").content.decode()
    officer_page = mob.client("officer").get(f"/volunteers/activities/{activity.pk}/").content.decode()
    assert case.number not in officer_page


def test_the_activity_list_filters_by_day_and_takes_bounded_queries(mob, campaign, django_assert_max_num_queries):
    ActivityFactory(community=mob.community, campaign=campaign, title="八月活动")
    september = datetime.datetime(2021, 9, 4, 8, tzinfo=datetime.UTC)
    ActivityFactory(community=mob.community, campaign=campaign, title="九月活动", starts_at=september)
    client = mob.client("leader")
    content = client.get("/volunteers/activities/?date_from=2021-09-01").content.decode()
    assert "九月活动" in content and "八月活动" not in content
    assert client.get("/volunteers/activities/?date_from=1800-01-01").status_code == 400
    with django_assert_max_num_queries(12) as few:
        client.get("/volunteers/activities/")
    ActivityFactory.create_batch(20, community=mob.community, campaign=campaign)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/volunteers/activities/")


@pytest.mark.parametrize(
    ("url", "row_pattern", "invalid"),
    [
        ("/volunteers/?q=张", r'href="/volunteers/(\d+)/"', "/volunteers/?community=abc"),
        (
            "/volunteers/activities/?q=九月",
            r'href="/volunteers/activities/(\d+)/"',
            "/volunteers/activities/?date_from=1800-01-01",
        ),
        ("/volunteers/branches/?q=第一", r'href="/volunteers/branches/(\d+)/"', "/volunteers/branches/?street=abc"),
    ],
)
def test_the_filter_forms_update_only_the_results_with_htmx(mob, campaign, url, row_pattern, invalid):
    VolunteerFactory(community=mob.community, name="张三")
    VolunteerFactory(community=mob.community, name="李四")
    ActivityFactory(community=mob.community, campaign=campaign, title="九月活动")
    ActivityFactory(community=mob.community, campaign=campaign, title="八月活动")
    PartyBranchFactory(name="第一党支部")
    client = mob.client("leader")
    assert len(check_htmx_results(client, url, "list-results", row_pattern)) == 1
    check_htmx_invalid_filters(client, invalid)


# --- leaderboards --------------------------------------------------------------------------------


def ranks_on(content: str) -> dict[int, int]:
    """Branch id → rank on the branch leaderboard."""
    board = content[content.index('data-testid="branch-leaderboard"') :]
    return {int(b): int(r) for b, r in re.findall(r'data-branch="(\d+)">\s*<td class="fw-semibold">(\d+)</td>', board)}


def test_a_branch_moves_up_the_leaderboard_when_its_clean_up_is_recorded(mob, campaign):
    leading = mob.pairings["other"]
    busy = ActivityFactory(community=leading.community, campaign=campaign, branch=leading.branch)
    Participation.objects.create(activity=busy, volunteer=VolunteerFactory(community=leading.community), hours=3)
    client = mob.client("leader")
    own_branch = mob.pairings["own"].branch
    assert ranks_on(client.get("/volunteers/leaderboards/").content.decode())[own_branch.pk] == 2
    activity = ActivityFactory(community=mob.community, campaign=campaign, branch=own_branch)
    services.add_participants(
        mob.users["staff_own"],
        activity,
        [(VolunteerFactory(community=mob.community), Decimal("3"))] * 1
        + [(VolunteerFactory(community=mob.community), Decimal("2"))],
    )
    ranks = ranks_on(client.get("/volunteers/leaderboards/").content.decode())
    assert ranks[own_branch.pk] == 1 and ranks[leading.branch.pk] == 2
    people = ranks_on(client.get("/volunteers/leaderboards/?order_by=people_times").content.decode())
    assert people[own_branch.pk] == 1
    by_activities = ranks_on(client.get("/volunteers/leaderboards/?order_by=activities").content.decode())
    assert by_activities[own_branch.pk] == by_activities[leading.branch.pk] == 1  # a tie shares the rank


def test_the_volunteer_leaderboard_ranks_by_hours_within_the_period(mob, campaign):
    old = ActivityFactory(community=mob.community, campaign=campaign)  # 2021
    # An hour ago is in the last 7 days whatever the day (last Saturday is not, early on a Saturday).
    recent = ActivityFactory(
        community=mob.community, campaign=campaign, starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    veteran, newcomer = (
        VolunteerFactory(community=mob.community, name="老队员"),
        VolunteerFactory(community=mob.community, name="新队员"),
    )
    Participation.objects.create(activity=old, volunteer=veteran, hours=3)
    Participation.objects.create(activity=recent, volunteer=newcomer, hours=2)
    client = mob.client("staff_other")
    board = client.get("/volunteers/leaderboards/").content.decode()
    board = board[board.index('data-testid="volunteer-leaderboard"') :]
    assert board.index("老队员") < board.index("新队员")
    week = client.get("/volunteers/leaderboards/?period=week").content.decode()
    week = week[week.index('data-testid="volunteer-leaderboard"') :]
    assert "新队员" in week and "老队员" not in week
    rows = csv_rows(client.get("/volunteers/leaderboards/volunteers.csv"))
    assert [row[:2] for row in rows[1:]] == [["1", "老队员"], ["2", "新队员"]]
    assert client.get("/volunteers/leaderboards/branches.xlsx").status_code == 200
    assert client.get("/volunteers/leaderboards/nothing.csv").status_code == 404


def test_unknown_leaderboard_choices_fall_back_to_the_defaults(mob):
    response = mob.client("leader").get("/volunteers/leaderboards/?period=forever&order_by=x&street=abc")
    assert response.status_code == 200


def test_the_leaderboards_take_a_bounded_number_of_queries(mob, campaign, django_assert_max_num_queries):
    def more_branches(count: int) -> None:
        for _ in range(count):
            pairing = BranchPairingFactory(community=CommunityFactory(street=mob.street), branch=PartyBranchFactory())
            activity = ActivityFactory(community=pairing.community, campaign=campaign, branch=pairing.branch)
            volunteer = VolunteerFactory(community=pairing.community)
            Participation.objects.create(activity=activity, volunteer=volunteer, hours=2)

    client = mob.client("leader")
    more_branches(1)
    with django_assert_max_num_queries(14) as few:
        client.get("/volunteers/leaderboards/")
    more_branches(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/volunteers/leaderboards/")


def test_the_branch_leaderboard_pages_keep_the_global_ranks_and_the_filters(mob, campaign):
    # 45 branches in the street with 0.5 to 22.5 hours (distinct ranks), and the street's own branch with none.
    for half_hours in range(1, 46):
        pairing = BranchPairingFactory(community=CommunityFactory(street=mob.street), branch=PartyBranchFactory())
        activity = ActivityFactory(community=pairing.community, campaign=campaign, branch=pairing.branch)
        Participation.objects.create(
            activity=activity, volunteer=VolunteerFactory(community=pairing.community), hours=Decimal(half_hours) / 2
        )
    client = mob.client("leader")
    query = f"period=all&street={mob.street.pk}"
    content = client.get(f"/volunteers/leaderboards/?{query}&branches_page=2").content.decode()
    board = content[content.index('data-testid="branch-leaderboard"') : content.index('id="volunteer-board"')]
    ranks = re.findall(r'data-branch="\d+">\s*<td class="fw-semibold">(\d+)</td>', board)
    assert [int(rank) for rank in ranks] == list(range(21, 41))
    links = set(re.findall(r'href="\?([^"]*branches_page=\d+[^"]*)"', board))
    assert links and all(f"street={mob.street.pk}" in link and "period=all" in link for link in links)
    assert {re.search(r"branches_page=(\d+)", link).group(1) for link in links} == {"1", "3"}
    # The volunteers' board has its own page: paging the branches leaves it on its first page.
    volunteers = content[content.index('data-testid="volunteer-leaderboard"') :]
    assert re.search(r"<td class=\"fw-semibold\">1</td>", volunteers)
    # The exports stay complete.
    assert len(csv_rows(client.get(f"/volunteers/leaderboards/branches.csv?{query}&branches_page=2"))) == 1 + 46
    assert len(csv_rows(client.get(f"/volunteers/leaderboards/volunteers.csv?{query}&volunteers_page=2"))) == 1 + 45


def test_a_new_activity_defaults_to_last_weekends_morning_in_the_date_picker(mob):
    content = mob.client("staff_own").get("/volunteers/activities/new/").content.decode()
    day = last_weekend_day(timezone.localtime())
    assert day.weekday() in (5, 6) and day <= timezone.localdate()
    # A browser's date picker shows only an ISO value; a localised one leaves it empty.
    assert re.search(rf'<input type="date" name="date" value="{day.isoformat()}"', content)
    assert re.search(r'<input type="time" name="start_time" value="08:30"', content)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-12-05 07:59", "2026-11-28"),  # a Saturday before the morning clean-up has started
        ("2026-12-05 08:30", "2026-12-05"),
        ("2026-12-06 06:00", "2026-12-05"),  # Sunday
        ("2026-12-09 12:00", "2026-12-05"),  # Wednesday
    ],
)
def test_the_default_day_is_the_last_saturday_whose_clean_up_has_started(now, expected):
    moment = datetime.datetime.fromisoformat(now).replace(tzinfo=timezone.get_default_timezone())
    assert last_weekend_day(moment).isoformat() == expected
