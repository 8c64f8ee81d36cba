"""Community pages: the list with its counts, filters and exports; a community's profile; who may see them."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.choices import CaseState
from communities.choices import CompoundKind, PropertyManagement
from communities.models import Community
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    BranchPairingFactory,
    CaseFactory,
    CommunityFactory,
    CompoundFactory,
    FrontageUnitFactory,
    MetricFactory,
    PartyBranchFactory,
    RoadFactory,
    StaffProfileFactory,
    StreetFactory,
    TallyEntryFactory,
    UserFactory,
    VolunteerFactory,
)
from tests.utils import check_htmx_invalid_filters, check_htmx_results, client_for
from volunteers.choices import PairingKind
from volunteers.models import Participation
from volunteers.services import move_pairing

pytestmark = pytest.mark.django_db


def content_of(response) -> str:
    return response.content.decode()


def row_of(content: str, community) -> str:
    """The list row of one community."""
    match = re.search(rf'<tr data-community="{community.pk}">(.*?)</tr>', content, re.S)
    assert match, f"{community.name} is not listed"
    return match.group(1)


def cells_of(row: str) -> list[list[str]]:
    """The words of each of a row's cells, tags stripped."""
    return [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def figure(content: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">\s*(.*?)\s*<', content, re.S)
    assert match, testid
    return match.group(1)


def tally_row(content: str, metric) -> dict[str, str]:
    """A metric's row of the profile's tally: from_cases, from_activities and total as shown."""
    match = re.search(rf'<tr data-metric="{metric.code}">(.*?)</tr>', content, re.S)
    if match is None:
        return {}
    return dict(re.findall(r'data-column="(\w+)">([^<]*)<', match.group(1)))


def download(response) -> bytes:
    return b"".join(response.streaming_content)


@dataclass
class Place:
    """Two streets, a community in the first one with its branch, and a user for each kind of visitor."""

    street: object
    other_street: object
    community: object
    branch: object
    leader: object
    staff: object
    other_staff: object
    officer: object


@pytest.fixture
def place() -> Place:
    street = StreetFactory(name="北市场街道", order=1)
    other_street = StreetFactory(name="文艺路街道", order=2)
    community = CommunityFactory(street=street, name="青年社区", households=1200)
    branch = PartyBranchFactory(name="区财政局第一党支部")
    BranchPairingFactory(branch=branch, community=community)
    return Place(
        street=street,
        other_street=other_street,
        community=community,
        branch=branch,
        leader=StaffProfileFactory(leader=True).user,
        staff=StaffProfileFactory(street=street).user,
        other_staff=StaffProfileFactory(street=other_street).user,
        officer=StaffProfileFactory(officer=True).user,
    )


# --- who may see ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/communities/", "/communities/export.csv", "/communities/{pk}/"])
def test_anonymous_visitors_are_sent_to_log_in(client, place, path):
    response = client.get(path.format(pk=place.community.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/communities/", "/communities/export.xlsx", "/communities/{pk}/"])
def test_a_user_without_a_role_gets_the_not_allowed_page(place, path):
    response = client_for(UserFactory()).get(path.format(pk=place.community.pk))
    assert response.status_code == 403
    assert "Traceback" not in content_of(response)


@pytest.mark.parametrize("who", ["leader", "staff", "other_staff", "officer"])
def test_every_member_of_staff_sees_both_pages(place, who):
    client = client_for(getattr(place, who))
    assert client.get("/communities/").status_code == 200
    response = client.get(f"/communities/{place.community.pk}/")
    assert response.status_code == 200
    assert place.community.name in content_of(response)


def test_an_unknown_community_is_the_not_found_page(place):
    response = client_for(place.leader).get("/communities/999999/")
    assert response.status_code == 404


def test_an_unknown_export_format_is_not_found(place):
    assert client_for(place.leader).get("/communities/export.pdf").status_code == 404


# --- list ----------------------------------------------------------------------------------------


def test_the_list_shows_each_community_with_its_branch_and_counts(place):
    community = place.community
    VolunteerFactory.create_batch(3, community=community)
    ActivityFactory.create_batch(2, community=community, branch=place.branch)
    CaseFactory(community=community, state=CaseState.REGISTERED)
    CaseFactory(community=community, state=CaseState.RESOLVED)
    CaseFactory(community=community, state=CaseState.CLOSED)
    unpaired = CommunityFactory(street=place.street, name="风雨坛社区")

    content = content_of(client_for(place.leader).get("/communities/"))

    row = row_of(content, community)
    assert f'href="/communities/{community.pk}/"' in row
    assert f'href="/volunteers/branches/{place.branch.pk}/"' in row
    assert place.branch.name in row
    # Volunteers, activities, open cases (registered + resolved; closed is not open).
    assert cells_of(row)[-3:] == [["3"], ["2"], ["2"]]
    assert cells_of(row)[2] == ["1200"]
    assert place.branch.name not in row_of(content, unpaired)


def test_open_cases_in_the_list_count_only_the_cases_the_user_may_see(place):
    CaseFactory.create_batch(2, community=place.community, state=CaseState.DISPATCHED)
    for user, expected in [(place.leader, "2"), (place.staff, "2"), (place.other_staff, "0"), (place.officer, "0")]:
        # Other streets' staff see every community, but not this street's cases.
        content = content_of(client_for(user).get("/communities/?street="))
        assert cells_of(row_of(content, place.community))[-1] == [expected], user


def test_the_list_is_sorted_by_street_then_name(place):
    later = StreetFactory(name="万莲街道", order=5)
    CommunityFactory(street=later, name="万莲社区")
    CommunityFactory(street=place.street, name="东风社区")
    content = content_of(client_for(place.leader).get("/communities/"))
    names = re.findall(r'href="/communities/\d+/">([^<]+)</a>', content)
    assert names == ["东风社区", "青年社区", "万莲社区"]


def test_the_street_filter_narrows_the_list(place):
    elsewhere = CommunityFactory(street=place.other_street, name="文化社区")
    content = content_of(client_for(place.leader).get(f"/communities/?street={place.other_street.pk}"))
    assert elsewhere.name in content
    assert place.community.name not in content


def test_the_name_search_narrows_the_list(place):
    CommunityFactory(street=place.street, name="风雨坛社区")
    content = content_of(client_for(place.leader).get("/communities/?q=风雨"))
    assert "风雨坛社区" in content
    assert place.community.name not in content


def test_street_staff_start_on_their_own_street_and_can_clear_it(place):
    elsewhere = CommunityFactory(street=place.other_street, name="文化社区")
    client = client_for(place.staff)

    first = content_of(client.get("/communities/"))
    assert place.community.name in first
    assert elsewhere.name not in first
    assert re.search(rf'<option value="{place.street.pk}" selected>', first)

    cleared = content_of(client.get("/communities/?street=&q="))
    assert place.community.name in cleared
    assert elsewhere.name in cleared


def test_a_wrong_filter_is_explained_not_a_crash(place):
    response = client_for(place.leader).get("/communities/?street=999999")
    assert response.status_code == 400
    assert 'class="invalid-feedback d-block"' in content_of(response)
    assert place.community.name not in re.sub(r"<select.*?</select>", "", content_of(response), flags=re.S)


def test_the_list_is_paginated(place):
    CommunityFactory.create_batch(35, street=place.street)
    client = client_for(place.leader)
    first = content_of(client.get("/communities/"))
    second = content_of(client.get("/communities/?page=2"))
    assert len(re.findall(r"<tr data-community=", first)) == 30
    assert len(re.findall(r"<tr data-community=", second)) == 6
    assert 'rel="next"' in first


def test_the_export_links_carry_the_filters(place):
    content = content_of(client_for(place.staff).get("/communities/?q=青年"))
    link = re.search(r'href="([^"]+)" data-testid="export-xlsx"', content).group(1)
    assert link.startswith("/communities/export.xlsx?")
    assert "q=%E9%9D%92%E5%B9%B4" in link
    assert f"street={place.street.pk}" in link


def test_the_filter_form_updates_only_the_results_with_htmx(place):
    CommunityFactory(street=place.other_street, name="文化社区")
    client = client_for(place.staff)
    # Street staff start on their own street: the fragment applies the same default as the page.
    rows = check_htmx_results(client, "/communities/", "community-results", r'<tr data-community="(\d+)"')
    assert rows == [str(place.community.pk)]
    rows = check_htmx_results(
        client, "/communities/?street=&q=文化", "community-results", r'<tr data-community="(\d+)"'
    )
    assert len(rows) == 1 and rows != [str(place.community.pk)]
    check_htmx_invalid_filters(client, "/communities/?street=99999")


# --- exports -------------------------------------------------------------------------------------


def test_the_csv_export_has_one_line_per_community_with_the_same_filters(place):
    VolunteerFactory.create_batch(2, community=place.community)
    CommunityFactory(street=place.other_street, name="文化社区")
    response = client_for(place.leader).get(f"/communities/export.csv?street={place.street.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download(response).decode("utf-8-sig"))))
    assert len(rows) == 2  # the header and 青年社区
    assert rows[1] == [place.street.name, "青年社区", "1200", place.branch.name, "2", "0", "0"]


def test_the_xlsx_export_opens_in_a_spreadsheet(place):
    CaseFactory(community=place.community, state=CaseState.IN_PROGRESS)
    ActivityFactory(community=place.community)
    response = client_for(place.leader).get("/communities/export.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(download(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1] == (place.street.name, "青年社区", 1200, place.branch.name, 0, 1, 1)


def test_street_staff_export_starts_on_their_street_too(place):
    CommunityFactory(street=place.other_street, name="文化社区")
    rows = list(csv.reader(io.StringIO(download(client_for(place.staff).get("/communities/export.csv")).decode())))
    assert [row[1] for row in rows[1:]] == ["青年社区"]


# --- profile -------------------------------------------------------------------------------------


def test_the_profile_shows_street_households_and_paired_branch(place):
    content = content_of(client_for(place.officer).get(f"/communities/{place.community.pk}/"))
    assert place.street.name in figure(content, "community-facts")
    assert "1200" in content
    paired = re.search(r'data-testid="paired-branch">(.*?)</p>', content, re.S).group(1)
    assert place.branch.name in paired
    assert f'href="/volunteers/branches/{place.branch.pk}/"' in paired


def test_the_profile_keeps_the_pairing_history_when_a_branch_moves_in(place):
    newcomer = PartyBranchFactory(name="区教育局党支部")
    move_pairing(place.leader, newcomer, place.community, datetime.date(2021, 9, 1), PairingKind.ONE_PLUS_ONE)

    content = content_of(client_for(place.staff).get(f"/communities/{place.community.pk}/"))

    paired = re.search(r'data-testid="paired-branch">(.*?)</p>', content, re.S).group(1)
    assert newcomer.name in paired
    assert place.branch.name not in paired
    history = re.search(r'data-testid="pairing-history">(.*?)</table>', content, re.S).group(1)
    assert history.index(newcomer.name) < history.index(place.branch.name)  # the current pairing first
    assert "2021-08-20 – 2021-08-31" in history
    assert "2021-09-01" in history


def test_the_profile_lists_compounds_roads_chiefs_and_frontage_units(place):
    CompoundFactory(
        community=place.community,
        name="青年小区",
        kind=CompoundKind.COURTYARD,
        property_management=PropertyManagement.MARKET,
        stairwell_units=24,
    )
    chief = StaffProfileFactory(
        road_chief=True, street=place.street, user__last_name="李", user__first_name="路长"
    ).user
    road = RoadFactory(street=place.street, name="青年大街", road_chief=chief)
    FrontageUnitFactory(road=road, name="青年大街便利店", contact_person="赵经理", contact_phone="13912345678")
    RoadFactory(street=place.other_street, name="文艺路")

    content = content_of(client_for(place.leader).get(f"/communities/{place.community.pk}/"))

    assert "青年小区" in content
    assert str(CompoundKind.COURTYARD.label) in content
    assert ">24<" in content
    roads = re.search(r'data-testid="roads">(.*?)</table>', content, re.S).group(1)
    assert "青年大街" in roads
    assert "李路长" in roads
    assert "青年大街便利店" in roads
    assert "赵经理" in roads
    assert "文艺路" not in roads  # another street's road


@pytest.mark.parametrize(("who", "full"), [("staff", True), ("other_staff", False), ("leader", False)])
def test_frontage_unit_phones_are_full_only_for_the_street_staff(place, who, full):
    road = RoadFactory(street=place.street)
    FrontageUnitFactory(road=road, contact_person="赵经理", contact_phone="13912345678")
    content = content_of(client_for(getattr(place, who)).get(f"/communities/{place.community.pk}/"))
    assert ("13912345678" in content) is full
    assert ("139****5678" in content) is not full


def test_case_figures_follow_what_the_user_may_see(place):
    for state in (CaseState.REGISTERED, CaseState.DISPATCHED, CaseState.RESOLVED):
        CaseFactory(community=place.community, state=state)
    closed = CaseFactory(community=place.community, state=CaseState.CLOSED)
    CaseFactory(community=place.community, state=CaseState.REJECTED)
    AssignmentFactory(case=closed, department=place.officer.staff_profile.department)
    path = f"/communities/{place.community.pk}/"

    leader = content_of(client_for(place.leader).get(path))
    assert figure(leader, "open-cases") == "3"
    assert figure(leader, "closed-cases") == "1"
    assert closed.number in leader
    assert f'href="/cases/?community={place.community.pk}"' in leader

    other = content_of(client_for(place.other_staff).get(path))
    assert figure(other, "open-cases") == "0"
    assert figure(other, "closed-cases") == "0"
    assert closed.number not in other

    officer = content_of(client_for(place.officer).get(path))
    assert (figure(officer, "open-cases"), figure(officer, "closed-cases")) == ("0", "1")


def test_the_profile_shows_the_latest_activities_with_participants_and_hours(place):
    activity = ActivityFactory(community=place.community, branch=place.branch, title="楼道大扫除")
    for volunteer in VolunteerFactory.create_batch(3, community=place.community):
        Participation.objects.create(activity=activity, volunteer=volunteer, hours=Decimal("2.5"))
    ActivityFactory(community=CommunityFactory(street=place.street), title="别处的活动")

    content = content_of(client_for(place.other_staff).get(f"/communities/{place.community.pk}/"))

    assert f'href="/volunteers/activities/{activity.pk}/"' in content
    assert "楼道大扫除" in content
    assert "别处的活动" not in content
    row = re.search(r"楼道大扫除</a></td>(.*?)</tr>", content, re.S).group(1)
    assert re.findall(r">\s*([\d.]+)\s*<", row)[-2:] == ["3", "7.5"]
    assert figure(content, "activity-count") == "1"
    assert f'href="/volunteers/activities/?community={place.community.pk}"' in content


def test_an_activitys_outcomes_appear_in_the_tally_next_to_the_cases(place):
    stairwells = MetricFactory(code="stairwells_cleaned", name="清理楼道", unit="个")
    garbage = MetricFactory(code="garbage_cleared", name="清运垃圾", unit="吨")
    unused = MetricFactory(code="zombie_cars", name="清理僵尸车", unit="辆")
    activity = ActivityFactory(community=place.community)
    case = CaseFactory(community=place.community, state=CaseState.CLOSED)
    TallyEntryFactory(community=place.community, metric=stairwells, quantity=12, activity=activity)
    TallyEntryFactory(community=place.community, metric=stairwells, quantity=5, case=case)
    TallyEntryFactory(community=place.community, metric=garbage, quantity=Decimal("3.5"), activity=activity)
    # A resolution sent for rework: its entries are kept but no longer count.
    TallyEntryFactory(community=place.community, metric=garbage, quantity=100, case=case, voided_at=timezone.now())
    TallyEntryFactory(community=place.community, metric=unused, quantity=7, case=case, voided_at=timezone.now())
    TallyEntryFactory(community=CommunityFactory(), metric=stairwells, quantity=40, activity=ActivityFactory())

    content = content_of(client_for(place.officer).get(f"/communities/{place.community.pk}/"))

    assert tally_row(content, stairwells) == {"from_cases": "5", "from_activities": "12", "total": "17"}
    assert tally_row(content, garbage) == {"from_cases": "0", "from_activities": "3.50", "total": "3.50"}
    assert tally_row(content, unused) == {}  # nothing counted: not shown
    assert "清理楼道" in content and "(个)" in content


def test_the_profile_counts_volunteers_party_members_and_residents(place):
    VolunteerFactory.create_batch(2, community=place.community, is_party_member=True, branch=place.branch)
    VolunteerFactory.create_batch(3, community=place.community)
    VolunteerFactory(community=CommunityFactory())
    content = content_of(client_for(place.leader).get(f"/communities/{place.community.pk}/"))
    assert figure(content, "volunteer-count") == "5"
    assert re.findall(r"\d+", figure(content, "volunteer-split")) == ["2", "3"]
    assert f'href="/volunteers/?community={place.community.pk}"' in content


@pytest.mark.parametrize(
    ("who", "file", "manage"),
    [("staff", True, True), ("other_staff", True, False), ("leader", True, False), ("officer", False, False)],
)
def test_the_profile_offers_what_the_user_may_do(place, who, file, manage):
    content = content_of(client_for(getattr(place, who)).get(f"/communities/{place.community.pk}/"))
    community, street = place.community.pk, place.street.pk
    assert (f'href="/cases/new/?community={community}&amp;street={street}"' in content) is file
    assert (f'href="/volunteers/activities/new/?community={community}"' in content) is manage
    assert (f'href="/volunteers/new/?community={community}"' in content) is manage


# --- query counts --------------------------------------------------------------------------------


def _fill_street(street, count: int) -> None:
    """`count` communities, each paired, with a volunteer, an activity and an open case."""
    for community in CommunityFactory.create_batch(count, street=street):
        BranchPairingFactory(community=community)
        VolunteerFactory(community=community)
        ActivityFactory(community=community)
        CaseFactory(community=community, state=CaseState.DISPATCHED)


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["leader", "staff", "officer"])
def test_the_list_takes_the_same_queries_for_3_or_30_communities(place, who, django_assert_max_num_queries):
    client = client_for(getattr(place, who))
    _fill_street(place.street, 2)
    few = _queries(client, "/communities/?street=")
    _fill_street(place.street, 27)
    with django_assert_max_num_queries(8):
        assert client.get("/communities/?street=").status_code == 200
    assert _queries(client, "/communities/?street=") == few


def test_the_export_takes_the_same_queries_for_3_or_30_communities(place, django_assert_max_num_queries):
    client = client_for(place.leader)
    _fill_street(place.street, 2)
    with CaptureQueriesContext(connection) as few:
        download(client.get("/communities/export.csv"))
    _fill_street(place.street, 27)
    with django_assert_max_num_queries(len(few)):
        rows = download(client.get("/communities/export.csv")).decode("utf-8-sig").splitlines()
    assert len(rows) == 31


def _fill_community(place: Place, count: int) -> None:
    """`count` of everything the profile lists."""
    community = place.community
    metric = MetricFactory()
    for _ in range(count):
        case = CaseFactory(community=community, state=CaseState.CLOSED)
        activity = ActivityFactory(community=community, branch=PartyBranchFactory())
        volunteer = VolunteerFactory(community=community)
        Participation.objects.create(activity=activity, volunteer=volunteer, hours=2)
        TallyEntryFactory(community=community, metric=metric, case=case)
        TallyEntryFactory(community=community, metric=MetricFactory(), activity=activity)
        CompoundFactory(community=community)
        chief = StaffProfileFactory(road_chief=True, street=place.street).user
        FrontageUnitFactory(road=RoadFactory(street=place.street, road_chief=chief))


@pytest.mark.parametrize("who", ["leader", "staff", "officer"])
def test_the_profile_takes_the_same_queries_for_3_or_30_of_everything(place, who, django_assert_max_num_queries):
    client = client_for(getattr(place, who))
    path = f"/communities/{place.community.pk}/"
    _fill_community(place, 3)
    few = _queries(client, path)
    _fill_community(place, 27)
    with django_assert_max_num_queries(16):
        assert client.get(path).status_code == 200
    assert _queries(client, path) == few


# --- the demo world ------------------------------------------------------------------------------


def test_the_demo_communities_and_a_profile_render_for_each_demo_account(demo, django_assert_max_num_queries):
    community = Community.objects.filter(pairings__ends_on__isnull=True).first()
    for username in ("leader", "staff", "staff2", "roadchief", "officer", "admin"):
        client = Client()
        assert client.login(username=username, password="shenhe-demo"), username
        with django_assert_max_num_queries(10):
            assert client.get("/communities/").status_code == 200
        with django_assert_max_num_queries(16):
            response = client.get(f"/communities/{community.pk}/")
        assert response.status_code == 200
        assert community.name in content_of(response)
