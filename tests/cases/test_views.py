"""Case pages: list and exports, intake, the case page's action forms, photos, the inbox and home queues."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cases import workflow
from cases.choices import AssignmentRole, CaseSource, CaseState
from cases.models import Case, CaseEvent, Photo, TallyEntry
from cases.permissions import allowed_actions, can_view
from tests.factories import (
    AssignmentFactory,
    CaseFactory,
    CommunityFactory,
    CompoundFactory,
    DepartmentFactory,
    RoadFactory,
)
from tests.utils import check_htmx_invalid_filters, check_htmx_results, client_for, numbers_on, photo_upload


def action_forms_on(content: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', content))


# --- list ----------------------------------------------------------------------------------------


def test_the_list_needs_login(client, db):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_list_shows_only_the_cases_the_user_may_see(world):
    own = world.case_in(CaseState.REGISTERED)
    other = CaseFactory(community=CommunityFactory(street=world.other_street))
    content = client_for(world.users["staff_own"]).get("/cases/").content.decode()
    assert own.number in content
    assert other.number not in content
    leader_page = client_for(world.users["leader"]).get("/cases/").content.decode()
    assert {own.number, other.number} <= set(numbers_on(leader_page))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=registered", {"registered"}),
        ("state=dispatched&state=closed", {"dispatched", "closed"}),
        ("overdue=true", {"overdue"}),
        ("overdue=false", {"registered", "dispatched", "closed"}),
        ("q=楼道积水", {"registered"}),
        ("department={lead}", {"dispatched", "closed", "overdue"}),
        ("campaign={campaign}", {"registered", "dispatched", "closed", "overdue"}),
        ("category=no-such-category", None),
    ],
)
def test_the_list_filters_narrow_the_cases(world, query, expected):
    cases = {
        "registered": world.case_in(CaseState.REGISTERED, title="楼道积水"),
        "dispatched": world.case_in(
            CaseState.DISPATCHED, report_in_due_at=timezone.now() + datetime.timedelta(hours=1)
        ),
        "closed": world.case_in(CaseState.CLOSED),
        "overdue": world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() - datetime.timedelta(hours=1)),
    }
    url = "/cases/?" + query.format(lead=world.lead.pk, campaign=world.category.campaign.slug)
    response = client_for(world.users["leader"]).get(url)
    shown = set(numbers_on(response.content.decode()))
    if expected is None:
        # A value that is not a choice is an error beside the filter, and the list shows nothing.
        assert response.status_code == 400
        assert "is-invalid" in response.content.decode() or "invalid-feedback" in response.content.decode()
        assert shown == set()
    else:
        assert response.status_code == 200
        assert shown == {cases[name].number for name in expected}


def test_dates_filter_by_the_day_in_shenyang(world):
    early = world.case_in(CaseState.REGISTERED)
    # 00:30 on 2 Sept in Shenyang is still 1 Sept in UTC.
    Case.objects.filter(pk=early.pk).update(created_at=datetime.datetime(2021, 9, 1, 16, 30, tzinfo=datetime.UTC))
    content = client_for(world.users["leader"]).get("/cases/?created_after=2021-09-02&created_before=2021-09-02")
    assert numbers_on(content.content.decode()) == [early.number]


def test_columns_sort_both_ways_and_pages_hold_25(world):
    for _ in range(27):
        world.case_in(CaseState.REGISTERED)
    client = client_for(world.users["staff_own"])
    ascending = numbers_on(client.get("/cases/?ordering=number").content.decode())
    descending = numbers_on(client.get("/cases/?ordering=-number").content.decode())
    assert len(ascending) == 25
    assert ascending == sorted(ascending)
    assert descending == sorted(descending, reverse=True)
    last_page = numbers_on(client.get("/cases/?ordering=number&page=2").content.decode())
    assert len(last_page) == 2
    # A page beyond the end shows the last page instead of an error.
    assert numbers_on(client.get("/cases/?ordering=number&page=99").content.decode()) == last_page


def test_the_list_costs_the_same_queries_for_5_or_40_cases(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.users["staff_own"])
    counts = []
    for total in (5, 40):
        while Case.objects.count() < total:
            world.case_in(CaseState.DISPATCHED)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


def test_htmx_gets_only_the_results(world):
    world.case_in(CaseState.REGISTERED)
    response = client_for(world.users["staff_own"]).get("/cases/?state=registered", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'id="case-results"' in content
    assert "<html" not in content


def test_the_filter_form_updates_only_the_results_with_htmx(world):
    registered = world.case_in(CaseState.REGISTERED)
    world.case_in(CaseState.CLOSED)
    client = client_for(world.users["leader"])
    rows = check_htmx_results(client, "/cases/?state=registered", "case-results", r'href="/cases/(SH-\d{4}-\d{6})/"')
    assert rows == [registered.number]
    check_htmx_invalid_filters(client, "/cases/?category=no-such-category")


# --- exports ---------------------------------------------------------------------------------------


def test_exports_follow_the_filters_in_both_formats(world):
    registered = world.case_in(CaseState.REGISTERED, title="登记的")
    world.case_in(CaseState.CLOSED, title="结案的")
    client = client_for(world.users["staff_own"])
    response = client.get("/cases/export.csv?state=registered")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "案件编号"
    assert [row[0] for row in rows[1:]] == [registered.number]

    response = client.get("/cases/export.xlsx?state=registered")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "案件编号"
    assert [row[0] for row in values[1:]] == [registered.number]


def test_an_unknown_export_format_is_404_and_bad_filters_go_back_to_the_list(world):
    client = client_for(world.users["staff_own"])
    assert client.get("/cases/export.pdf").status_code == 404
    response = client.get("/cases/export.csv?state=bogus", follow=True)
    assert response.redirect_chain[-1][0].startswith("/cases/?state=bogus")
    assert "导出前请先更正筛选条件" in response.content.decode()


# --- intake ------------------------------------------------------------------------------------------


def intake_data(world, **overrides) -> dict:
    data = {
        "category": world.category.code,
        "title": "青年大街沿线小广告",
        "description": "电线杆上贴满小广告",
        "street": world.street.pk,
        "community": world.community.pk,
        "priority": "normal",
        "reporter_name": "李先生",
        "reporter_phone": "13900001111",
    }
    return data | overrides


def test_street_staff_file_a_registered_case_with_photos(world):
    client = client_for(world.users["staff_own"])
    assert client.get("/cases/new/").status_code == 200
    data = intake_data(world, photos=[photo_upload("a.png"), photo_upload("b.png", color="red")])
    response = client.post("/cases/new/", data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/"
    assert case.state == CaseState.REGISTERED
    assert case.source == CaseSource.PATROL
    assert case.photos.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert f"案件 {case.number} 已登记" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"category": "no-such"}, "category"),
        ({"community": "999999"}, "community"),
        ({"latitude": "39.9", "longitude": "116.4"}, "latitude"),
        ({"latitude": "41.8"}, "longitude"),
        ({"photos": [photo_upload("x.png")]}, None),  # replaced below by a file that is not an image
    ],
)
def test_bad_intake_shows_the_error_beside_the_field_and_files_nothing(world, overrides, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if field is None:
        overrides = {"photos": [SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]}
        field = "photos"
    response = client_for(world.users["staff_own"]).post("/cases/new/", intake_data(world, **overrides))
    content = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'id="id_{field}_error"', content), content[:500]
    assert Case.objects.count() == 0
    assert Photo.objects.count() == 0


def test_a_community_of_another_street_is_refused(world):
    elsewhere = CommunityFactory(street=world.other_street)
    response = client_for(world.users["staff_own"]).post("/cases/new/", intake_data(world, community=elsewhere.pk))
    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_officers_cannot_open_intake(world):
    response = client_for(world.users["officer_lead"]).get("/cases/new/", follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "您的角色不能登记案件" in response.content.decode()


def test_the_place_selects_are_chained(world):
    compound = CompoundFactory(community=world.community)
    other_community = CommunityFactory(street=world.street)
    CompoundFactory(community=other_community, name="别的小区")
    client = client_for(world.users["leader"])
    url = f"/cases/new/?fragment=places&street={world.street.pk}&community={world.community.pk}"
    content = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="place-fields"' in content
    assert f'value="{compound.pk}"' in content
    assert "别的小区" not in content
    assert f'value="{other_community.pk}"' in content
    assert world.road.name in content


def test_road_chiefs_are_offered_only_their_roads(world):
    other_road = RoadFactory(street=world.street, name="别人的路")
    content = client_for(world.users["roadchief_own"]).get("/cases/new/").content.decode()
    assert world.road.name in content
    assert other_road.name not in content
    assert "吹哨" in content


def test_intake_shows_possible_duplicates_before_saving(world):
    nearby = world.case_in(CaseState.DISPATCHED, title="已有的同类问题")
    query = (
        f"fragment=duplicates&category={world.category.code}&community={world.community.pk}&street={world.street.pk}"
    )
    content = client_for(world.users["staff_own"]).get(f"/cases/new/?{query}", HTTP_HX_REQUEST="true").content.decode()
    assert nearby.number in content
    assert f'href="/cases/{nearby.number}/"' in content
    # Closed cases are not duplicates of a new problem.
    Case.objects.filter(pk=nearby.pk).update(state=CaseState.CLOSED)
    content = client_for(world.users["staff_own"]).get(f"/cases/new/?{query}", HTTP_HX_REQUEST="true").content.decode()
    assert nearby.number not in content


def test_a_road_chief_blows_the_whistle_on_two_departments_at_intake(world):
    data = intake_data(world, road=world.road.pk, whistle_lead=world.lead.pk, whistle_assist=[world.assist.pk])
    response = client_for(world.users["roadchief_own"]).post("/cases/new/", data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.state == CaseState.DISPATCHED
    parts = {(a.department_id, a.role, a.whistle) for a in case.assignments.all()}
    assert parts == {(world.lead.pk, AssignmentRole.LEAD, True), (world.assist.pk, AssignmentRole.ASSIST, True)}
    window = case.report_in_due_at - case.dispatched_at
    assert window == datetime.timedelta(minutes=world.category.whistle_report_in_minutes)


# --- the case page -------------------------------------------------------------------------------------


def test_a_case_the_user_may_not_see_is_404_on_every_case_url(world):
    case = world.case_in(CaseState.DISPATCHED)
    client = client_for(world.users["staff_other"])
    assert client.get(f"/cases/{case.number}/").status_code == 404
    assert client.post(f"/cases/{case.number}/comment/", {"comment-note": "x"}).status_code == 404
    assert client.get("/cases/SH-2099-999999/").status_code == 404
    assert CaseEvent.objects.filter(case=case).count() == 0


@pytest.mark.parametrize(
    "user",
    ["staff_own", "roadchief_own", "officer_lead", "officer_assist", "leader", "admin"],
)
@pytest.mark.parametrize(
    "state", [CaseState.REGISTERED, CaseState.DISPATCHED, CaseState.IN_PROGRESS, CaseState.RESOLVED]
)
def test_the_page_offers_exactly_the_allowed_actions(world, user, state):
    case = world.case_in(state)
    response = client_for(world.users[user]).get(f"/cases/{case.number}/")
    if not can_view(world.users[user], case):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert action_forms_on(response.content.decode()) == set(allowed_actions(world.users[user], case))


@pytest.mark.parametrize(
    ("user", "full"),
    [
        ("staff_own", True),
        ("officer_lead", True),
        ("officer_assist", False),
        ("leader", False),
        ("roadchief_own", False),
    ],
)
def test_the_residents_phone_is_masked_except_for_street_staff_and_the_lead(world, user, full):
    case = world.case_in(CaseState.IN_PROGRESS)
    content = client_for(world.users[user]).get(f"/cases/{case.number}/").content.decode()
    assert ("13812341234" in content) is full
    assert ("138****1234" in content) is not full


def test_the_page_shows_overdue_deadlines_in_red_and_the_timeline(world):
    case = world.case_in(CaseState.DISPATCHED)  # report-in was due an hour ago
    workflow.comment(world.users["leader"], case, note="请尽快报到")
    content = client_for(world.users["staff_own"]).get(f"/cases/{case.number}/").content.decode()
    assert 'data-overdue="true"' in content
    assert "请尽快报到" in content
    assert 'data-event="comment"' in content


def test_the_page_costs_a_bounded_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = world.case_in(CaseState.IN_PROGRESS)
    workflow.add_photos(world.users["leader"], case, photos=[photo_upload()], note="现场")
    client = client_for(world.users["officer_lead"])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/cases/{case.number}/")
        counts.append(len(queries))
        for index in range(8):
            workflow.comment(world.users["leader"], case, note=f"备注{index}")
        AssignmentFactory(case=case, department=DepartmentFactory(), role=AssignmentRole.CC)
    assert counts[0] == counts[1]
    assert counts[1] <= 25


# --- actions from the page ---------------------------------------------------------------------------


def test_an_allowed_action_is_done_and_recorded(world):
    case = world.case_in(CaseState.REGISTERED)
    data = {
        "dispatch-lead_department": world.lead.pk,
        "dispatch-assist_departments": [world.assist.pk],
        "dispatch-note": "请尽快处理",
    }
    response = client_for(world.users["staff_own"]).post(f"/cases/{case.number}/dispatch/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/#timeline"
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED
    assert CaseEvent.objects.get(case=case, action="dispatch").note == "请尽快处理"


def test_the_officer_resolves_with_a_quantity_and_an_after_photo(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    data = {
        "resolve-note": "已清理",
        f"resolve-tally_{world.metric.code}": "3",
        "resolve-photos": [photo_upload("after.png")],
    }
    response = client_for(world.users["officer_lead"]).post(f"/cases/{case.number}/resolve/", data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    assert TallyEntry.objects.get(case=case).quantity == Decimal("3.00")
    assert case.photos.get().stage == "after"


@pytest.mark.parametrize(
    ("action", "user", "state", "data", "field"),
    [
        ("reject", "staff_own", CaseState.REGISTERED, {"reject-reason": ""}, "reason"),
        (
            "reject",
            "staff_own",
            CaseState.REGISTERED,
            {"reject-reason": "重复", "reject-duplicate_of": "SH-0"},
            "duplicate_of",
        ),
        ("resolve", "officer_lead", CaseState.IN_PROGRESS, {"resolve-note": ""}, "note"),
        (
            "resolve",
            "officer_lead",
            CaseState.IN_PROGRESS,
            {"resolve-note": "好了", "resolve-tally_debris_piles_removed": "-1"},
            "tally_debris_piles_removed",
        ),
        (
            "request_extension",
            "officer_lead",
            CaseState.IN_PROGRESS,
            {"request_extension-until": "2020-01-01T08:00", "request_extension-reason": "等材料"},
            "until",
        ),
        (
            "request_extension",
            "officer_lead",
            CaseState.IN_PROGRESS,
            {"request_extension-until": "明天", "request_extension-reason": "等材料"},
            "until",
        ),
        ("dispatch", "staff_own", CaseState.REGISTERED, {"dispatch-lead_department": ""}, "lead_department"),
        ("rework", "staff_own", CaseState.RESOLVED, {"rework-reason": "  "}, "reason"),
        ("comment", "leader", CaseState.REGISTERED, {"comment-note": ""}, "note"),
    ],
)
def test_invalid_input_shows_the_error_beside_the_field_and_changes_nothing(world, action, user, state, data, field):
    case = world.case_in(state)
    events = CaseEvent.objects.count()
    response = client_for(world.users[user]).post(f"/cases/{case.number}/{action}/", data)
    content = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{action}-{field}_error"' in content
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.count() == events


@pytest.mark.parametrize(
    ("action", "user", "state", "message"),
    [
        ("dispatch", "staff_other", CaseState.REGISTERED, None),  # cannot see it: 404
        ("resolve", "officer_assist", CaseState.IN_PROGRESS, "只有主办部门可以"),
        ("verify", "officer_lead", CaseState.RESOLVED, "您的角色不能"),
        ("accept", "staff_own", CaseState.REGISTERED, "才能受理"),
        ("report_in", "officer_lead", CaseState.IN_PROGRESS, "已就该案件报到"),
    ],
)
def test_a_refused_action_comes_back_as_a_message_and_changes_nothing(world, action, user, state, message):
    case = world.case_in(state)
    events = CaseEvent.objects.count()
    response = client_for(world.users[user]).post(f"/cases/{case.number}/{action}/", {}, follow=True)
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.count() == events
    if message is None:
        assert response.status_code == 404
        return
    assert response.redirect_chain[-1][0] == f"/cases/{case.number}/"
    assert 'class="alert alert-danger"' in response.content.decode()
    assert message in response.content.decode()


def test_an_unknown_action_is_404(world):
    case = world.case_in(CaseState.REGISTERED)
    assert client_for(world.users["staff_own"]).post(f"/cases/{case.number}/delete/").status_code == 404


def test_actions_need_the_csrf_token(world):
    case = world.case_in(CaseState.REGISTERED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["leader"])
    response = client.post(f"/cases/{case.number}/comment/", {"comment-note": "无令牌"})
    assert response.status_code == 403
    assert CaseEvent.objects.filter(case=case).count() == 0


def test_verify_asks_for_satisfaction_only_where_a_resident_reported(world):
    with_resident = world.case_in(CaseState.RESOLVED)
    without = world.case_in(CaseState.RESOLVED, reporter_name="", reporter_phone="")
    client = client_for(world.users["staff_own"])
    assert "verify-satisfaction" in client.get(f"/cases/{with_resident.number}/").content.decode()
    assert "verify-satisfaction" not in client.get(f"/cases/{without.number}/").content.decode()
    client.post(f"/cases/{with_resident.number}/verify/", {"verify-satisfaction": "satisfied"})
    with_resident.refresh_from_db()
    assert (with_resident.state, with_resident.satisfaction) == (CaseState.CLOSED, "satisfied")


def test_a_leader_grants_an_extension_from_the_page(world):
    case = world.case_in(CaseState.IN_PROGRESS, pending_extension=True)
    requested = case.extension_requested_until
    response = client_for(world.users["leader"]).post(
        f"/cases/{case.number}/approve_extension/", {"approve_extension-decision": "approve"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.resolve_due_at == requested
    assert case.extension_requested_until is None


def test_a_duplicate_is_rejected_naming_the_case_it_repeats(world):
    original = world.case_in(CaseState.DISPATCHED)
    repeat = world.case_in(CaseState.REGISTERED)
    client = client_for(world.users["staff_own"])
    page = client.get(f"/cases/{repeat.number}/").content.decode()
    assert f'<option value="{original.number}">' in page  # offered as a candidate
    client.post(
        f"/cases/{repeat.number}/reject/", {"reject-reason": "重复上报", "reject-duplicate_of": original.number}
    )
    repeat.refresh_from_db()
    assert (repeat.state, repeat.duplicate_of) == (CaseState.REJECTED, original)


# --- photos -------------------------------------------------------------------------------------------


def test_photos_are_served_only_to_users_who_may_see_the_case(world):
    case = workflow.create_case(
        world.users["staff_own"],
        title="有照片",
        category=world.category,
        community=world.community,
        photos=[photo_upload()],
    )
    photo = case.photos.get()
    for size in ("", "thumbnail/"):
        allowed = client_for(world.users["staff_own"]).get(f"/cases/photos/{photo.pk}/{size}")
        assert allowed.status_code == 200
        assert allowed["Content-Type"].startswith("image/")
        assert "private" in allowed["Cache-Control"]
        assert client_for(world.users["staff_other"]).get(f"/cases/photos/{photo.pk}/{size}").status_code == 404
    assert Client().get(f"/cases/photos/{photo.pk}/").status_code == 302  # to the login page


# --- inbox and home queues ---------------------------------------------------------------------------


def test_the_inbox_lists_what_my_department_must_report_in_on_with_time_left(world):
    waiting = world.case_in(CaseState.DISPATCHED, report_in_due_at=timezone.now() + datetime.timedelta(minutes=25))
    Case.objects.filter(pk=waiting.pk)  # the assignments carry the due time the inbox shows
    waiting.assignments.update(report_in_due_at=timezone.now() + datetime.timedelta(minutes=25))
    in_hand = world.case_in(CaseState.IN_PROGRESS)
    content = client_for(world.users["officer_lead"]).get("/cases/inbox/").content.decode()
    waiting_part = content.split('data-testid="inbox-waiting"')[1].split("</table>")[0]
    hand_part = content.split('data-testid="inbox-in-hand"')[1].split("</table>")[0]
    assert waiting.number in waiting_part
    assert re.search(r"(24|25) 分钟", waiting_part)
    assert in_hand.number in hand_part
    assert waiting.number not in hand_part


def test_the_inbox_is_for_officers(world):
    response = client_for(world.users["staff_own"]).get("/cases/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"


def test_each_home_queue_counts_what_its_link_lists(world):
    world.case_in(CaseState.REPORTED)
    world.case_in(CaseState.REGISTERED)
    world.case_in(CaseState.REGISTERED)
    world.case_in(CaseState.RESOLVED)
    world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() - datetime.timedelta(hours=2))
    client = client_for(world.users["staff_own"])
    content = client.get("/").content.decode()
    queues = re.findall(
        r'href="([^"]+)" data-queue="(\w+)">\s*<div class="card[^"]*"><div class="card-body">\s*'
        r'<div class="figure-value[^"]*">(\d+)</div>',
        content,
    )
    counts = {key: int(count) for _url, key, count in queues}
    assert counts == {
        "to_accept": 1,
        "to_dispatch": 2,
        "awaiting_report_in": 0,
        "in_progress": 1,
        "to_verify": 1,
        "overdue": 1,
        "escalated": 0,
    }
    for url, _key, count in queues:
        listed = client.get(url.replace("&amp;", "&")).content.decode()
        assert len(numbers_on(listed)) == int(count)


def _home_queue_counts(user) -> dict[str, int]:
    content = client_for(user).get("/").content.decode()
    queues = re.findall(
        r'data-queue="(\w+)">\s*<div class="card[^"]*"><div class="card-body">\s*'
        r'<div class="figure-value[^"]*">(\d+)</div>',
        content,
    )
    return {key: int(count) for key, count in queues}


def test_escalations_reach_the_street_and_then_the_leaders_home_queue(world):
    case = world.case_in(CaseState.REGISTERED)
    window = datetime.timedelta(hours=world.category.report_in_hours)
    start = timezone.now() - window - datetime.timedelta(minutes=5)
    with time_machine.travel(start, tick=False):
        workflow.dispatch(world.users["staff_own"], case, lead_department=world.lead)
    workflow.escalate_overdue()
    assert _home_queue_counts(world.users["staff_own"])["escalated"] == 1
    assert _home_queue_counts(world.users["officer_lead"])["escalated"] == 1
    assert _home_queue_counts(world.users["leader"])["escalated"] == 0  # not yet missed by twice its window
    with time_machine.travel(start + 2 * window + datetime.timedelta(minutes=1), tick=False):
        workflow.escalate_overdue()
        assert _home_queue_counts(world.users["leader"])["escalated"] == 1
        listed = client_for(world.users["leader"]).get("/cases/?escalated=leaders").content.decode()
        assert numbers_on(listed) == [case.number]
        # Reporting in ends the report-in escalation: the case leaves the queue.
        workflow.report_in(world.users["officer_lead"], case)
        assert _home_queue_counts(world.users["leader"])["escalated"] == 0


def test_every_workflow_action_has_a_form_in_the_page_order():
    from cases.forms import ACTION_FORM_ORDER, ACTION_FORMS
    from cases.permissions import WORKFLOW_ACTIONS

    assert set(ACTION_FORMS) == set(WORKFLOW_ACTIONS) == set(ACTION_FORM_ORDER)


def test_the_inbox_pages_what_is_in_hand_nearest_deadline_first(world, monkeypatch):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 3)
    cases = [
        world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() + datetime.timedelta(hours=hours))
        for hours in (30, 10, 20, 40, 50)
    ]
    client = client_for(world.users["officer_lead"])

    def in_hand_numbers(url):
        content = client.get(url).content.decode()
        return numbers_on(content.split('data-testid="inbox-in-hand"')[1].split("</table>")[0])

    assert in_hand_numbers("/cases/inbox/") == [cases[1].number, cases[2].number, cases[0].number]
    assert in_hand_numbers("/cases/inbox/?page=2") == [cases[3].number, cases[4].number]


# Every action form from the page: (user allowed, state, valid data, invalid data, field it names, refused user).
ACTION_FORM_CASES = {
    "accept": ("staff_own", CaseState.REPORTED, {"note": "受理"}, None, None, "officer_lead"),
    "reject": ("staff_own", CaseState.REGISTERED, {"reason": "不属于整治范围"}, {"reason": ""}, "reason", "leader"),
    "dispatch": (
        "staff_own",
        CaseState.REGISTERED,
        {"lead_department": "{lead}", "whistle": "on"},
        {"lead_department": "999999"},
        "lead_department",
        "staff_other",
    ),
    "report_in": ("officer_assist", CaseState.DISPATCHED, {"note": "已到现场"}, None, None, "officer_unrelated"),
    "send_back": (
        "officer_lead",
        CaseState.DISPATCHED,
        {"reason": "非本部门职责"},
        {"reason": ""},
        "reason",
        "officer_assist",
    ),
    "resolve": (
        "officer_lead",
        CaseState.IN_PROGRESS,
        {"note": "已清理", "tally_debris_piles_removed": "2"},
        {"note": "已清理", "tally_debris_piles_removed": "abc"},
        "tally_debris_piles_removed",
        "staff_own",
    ),
    "verify": (
        "staff_own",
        CaseState.RESOLVED,
        {"satisfaction": "basically_satisfied"},
        {"satisfaction": "happy"},
        "satisfaction",
        "roadchief_own",
    ),
    "rework": ("staff_own", CaseState.RESOLVED, {"reason": "未清理干净"}, {"reason": ""}, "reason", "officer_lead"),
    "reopen": ("leader", CaseState.CLOSED, {"reason": "居民再次反映"}, {"reason": ""}, "reason", "officer_lead"),
    "request_extension": (
        "officer_lead",
        CaseState.IN_PROGRESS,
        {"until": "{later}", "reason": "等待材料"},
        {"until": "", "reason": "等待材料"},
        "until",
        "officer_assist",
    ),
    "approve_extension": (
        "leader",
        CaseState.IN_PROGRESS,
        {"decision": "refuse", "note": "请按期完成"},
        {"decision": "refuse", "note": ""},
        "note",
        "staff_own",
    ),
    "supervise": (
        "leader",
        CaseState.DISPATCHED,
        {"note": "两日内处置", "until": "{day}"},
        {"note": ""},
        "note",
        "staff_own",
    ),
    "request_deferral": (
        "officer_lead",
        CaseState.IN_PROGRESS,
        {"reason": "需大修", "plan": "明年道路更新改造计划", "until": "{day}"},
        {"reason": "需大修", "plan": "明年道路更新改造计划", "until": "2000-01-01"},
        "until",
        "officer_assist",
    ),
    "decide_deferral": (
        "leader",
        CaseState.IN_PROGRESS,
        {"decision": "approve"},
        {"decision": "refuse", "note": ""},
        "note",
        "officer_lead",
    ),
    "comment": ("officer_assist", CaseState.IN_PROGRESS, {"note": "协办已配合"}, {"note": ""}, "note", None),
    "add_photos": (
        "roadchief_own",
        CaseState.DISPATCHED,
        {"stage": "other", "photos": "{photo}"},
        {"stage": "other"},
        "photos",
        None,
    ),
}


def action_post(world, action: str, values: dict) -> dict:
    later = timezone.localtime(timezone.now() + datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    day = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    data = {}
    for name, value in values.items():
        if value == "{photo}":
            value = [photo_upload()]
        elif isinstance(value, str):
            value = value.format(lead=world.lead.pk, later=later, day=day)
        data[f"{action}-{name}"] = value
    return data


@pytest.mark.parametrize("action", list(ACTION_FORM_CASES))
def test_each_action_form_allowed_invalid_and_refused(world, action):
    user, state, valid, invalid, field, refused = ACTION_FORM_CASES[action]
    pending = {"pending_extension": action == "approve_extension", "pending_deferral": action == "decide_deferral"}

    if invalid is not None:
        case = world.case_in(state, **pending)
        response = client_for(world.users[user]).post(
            f"/cases/{case.number}/{action}/", action_post(world, action, invalid)
        )
        assert response.status_code == 400
        assert f'id="id_{action}-{field}_error"' in response.content.decode()
        assert CaseEvent.objects.filter(case=case).count() == 0

    if refused is not None:
        case = world.case_in(state, **pending)
        response = client_for(world.users[refused]).post(
            f"/cases/{case.number}/{action}/", action_post(world, action, valid), follow=True
        )
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert 'class="alert alert-danger"' in response.content.decode()
        assert CaseEvent.objects.filter(case=case).count() == 0

    case = world.case_in(state, **pending)
    response = client_for(world.users[user]).post(f"/cases/{case.number}/{action}/", action_post(world, action, valid))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = CaseEvent.objects.get(case=case)
    assert event.action == action
    follow = client_for(world.users[user]).get(f"/cases/{case.number}/")
    assert f'data-event="{action}"' in follow.content.decode()


# --- hostile and odd input: a clear answer, never a server error ----------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "created_before=9999-12-31",
        "created_after=0001-01-01",
        "street=99999999999999999999",
        "community=-1",
        "department=abc",
        "ordering=bogus",
        "page=99999999999999999999",
    ],
)
def test_odd_list_filters_are_refused_beside_the_filter(world, query):
    world.case_in(CaseState.REGISTERED)
    client = client_for(world.users["leader"])
    response = client.get(f"/cases/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "alert-danger" in response.content.decode() or "invalid-feedback" in response.content.decode()
    assert client.get(f"/cases/export.csv?{query}").status_code in (200, 302)


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": "1e400", "longitude": "123.4"},
        {"street": "99999999999999999999"},
        {"community": "99999999999999999999"},
        {"road": "99999999999999999999"},
    ],
)
def test_odd_intake_values_are_refused_not_crashed(world, overrides):
    client = client_for(world.users["staff_own"])
    assert client.post("/cases/new/", intake_data(world, **overrides)).status_code == 400
    query = "&".join(f"{key}={value}" for key, value in overrides.items())
    for fragment in ("places", "duplicates"):
        url = f"/cases/new/?fragment={fragment}&category={world.category.code}&community={world.community.pk}&{query}"
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert Case.objects.count() == 0


def test_intake_never_offers_another_streets_places(world):
    elsewhere = CommunityFactory(street=world.other_street, name="别街社区")
    RoadFactory(street=world.other_street, name="别街道路")
    client = client_for(world.users["staff_own"])
    for url in (
        f"/cases/new/?street={world.other_street.pk}",
        f"/cases/new/?fragment=places&street={elsewhere.street_id}",
    ):
        content = client.get(url, HTTP_HX_REQUEST="true" if "fragment" in url else "").content.decode()
        assert "别街社区" not in content
        assert "别街道路" not in content


def test_a_whistle_at_intake_needs_one_of_the_road_chiefs_roads(world):
    data = intake_data(world, whistle_lead=world.lead.pk)
    response = client_for(world.users["roadchief_own"]).post("/cases/new/", data)
    assert response.status_code == 400
    assert 'id="id_road_error"' in response.content.decode()
    assert Case.objects.count() == 0


def test_an_action_url_opened_in_the_browser_goes_to_the_case_page(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    response = client_for(world.users["officer_lead"]).get(f"/cases/{case.number}/request_extension/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.number}/#action-request_extension"


def test_a_user_who_may_not_act_hears_why_before_any_input_error(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    response = client_for(world.users["staff_own"]).post(
        f"/cases/{case.number}/request_extension/", {"request_extension-until": "garbage"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/cases/{case.number}/"
    assert "您的角色不能对案件申请延期" in response.content.decode()


def test_an_extension_is_at_most_90_days(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    too_late = timezone.localtime(case.resolve_due_at + datetime.timedelta(days=91)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(world.users["officer_lead"]).post(
        f"/cases/{case.number}/request_extension/",
        {"request_extension-until": too_late, "request_extension-reason": "等材料"},
    )
    assert response.status_code == 400
    assert "最多 90 天" in response.content.decode()
    case.refresh_from_db()
    assert case.extension_requested_until is None


def test_the_list_names_the_last_lead_of_a_closed_case(world):
    closed = world.case_in(CaseState.CLOSED)
    content = client_for(world.users["leader"]).get("/cases/").content.decode()
    row = content.split(f'href="/cases/{closed.number}/"')[1].split("</tr>")[0]
    assert world.lead.name in row


def test_a_superuser_without_a_profile_works_as_an_administrator(world):
    content = client_for(world.users["superuser"]).get("/").content.decode()
    assert 'data-testid="queues"' in content
    assert "未分配角色" not in content
