"""The REST API (/api/v1/): the loop with tokens, the error format, filters, cursor pages, idempotent intake."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.choices import CaseState
from cases.models import Case, CaseEvent, TallyEntry
from tests.factories import CommunityFactory, UserFactory
from tests.utils import photo_upload

# The read-only lists of DESIGN.md §6 besides cases/.
REFERENCE_RESOURCES = (
    "categories",
    "campaigns",
    "departments",
    "streets",
    "communities",
    "roads",
    "metrics",
    "tally",
    "party-branches",
    "volunteers",
    "activities",
)


def token_client(user) -> APIClient:
    """A client that authenticates as a system does: a token from POST /api/v1/auth/token/."""
    user.set_password("secret-pass-1")
    user.save()
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": user.username, "password": "secret-pass-1"})
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_a_case_goes_around_the_loop_with_three_tokens(world):
    staff, officer = token_client(world.users["staff_own"]), token_client(world.users["officer_lead"])

    created = staff.post(
        "/api/v1/cases/",
        {
            "title": "楼道堆物",
            "description": "三楼楼道堆满杂物",
            "category": world.category.code,
            "community": world.community.pk,
            "reporter_name": "刘先生",
            "reporter_phone": "13900002222",
            "source": "hotline",
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert created.json()["state"] == "registered"
    assert "dispatch" in created.json()["allowed_actions"]

    steps = [
        (staff, "dispatch", {"lead_department": world.lead.pk, "assist_departments": [world.assist.pk]}, "dispatched"),
        (officer, "report_in", {}, "in_progress"),
        (officer, "resolve", {"note": "已清理", "tally": {world.metric.code: "2"}}, "resolved"),
        (staff, "verify", {"satisfaction": "satisfied"}, "closed"),
    ]
    for client, action, body, state in steps:
        response = client.post(f"/api/v1/cases/{number}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.content)
        assert response.json()["state"] == state

    events = staff.get(f"/api/v1/cases/{number}/events/").json()["results"]
    assert [event["action"] for event in events] == ["create", "dispatch", "report_in", "resolve", "verify"]
    assert TallyEntry.objects.get(case__number=number).quantity == 2


def test_me_says_who_the_caller_is(world):
    body = token_client(world.users["roadchief_own"]).get("/api/v1/me/").json()
    assert body["role"] == "road_chief"
    assert body["street"] == world.street.pk
    assert body["roads"] == [world.road.pk]


def test_a_revoked_token_no_longer_works(world):
    client = token_client(world.users["staff_own"])
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert_error(client.get("/api/v1/cases/"), 401, "not_authenticated")


def test_a_wrong_password_gets_no_token(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": world.users["staff_own"].username, "password": "x"})
    assert_error(response, 401, "not_authenticated")


# --- the error format -------------------------------------------------------------------------------


def test_each_error_code_has_the_one_format(world):
    staff = token_client(world.users["staff_own"])
    other_street = world.case_in(
        CaseState.REGISTERED,
        community=CommunityFactory(street=world.other_street),
        street=world.other_street,
        road=None,
    )
    registered = world.case_in(CaseState.REGISTERED)
    closed = world.case_in(CaseState.RESOLVED)

    assert_error(APIClient().get("/api/v1/cases/"), 401, "not_authenticated")
    assert_error(staff.get(f"/api/v1/cases/{other_street.number}/"), 404, "not_found")
    assert_error(staff.get("/api/v1/cases/SH-2099-000001/"), 404, "not_found")
    assert_error(staff.post(f"/api/v1/cases/{registered.number}/resolve/", {"note": "x"}), 403, "forbidden")
    assert_error(
        staff.post(f"/api/v1/cases/{closed.number}/dispatch/", {"lead_department": world.lead.pk}), 409, "invalid_state"
    )
    body = assert_error(staff.post(f"/api/v1/cases/{registered.number}/reject/", {}), 400, "validation_error")
    assert "reason" in body["fields"]
    body = assert_error(
        staff.post(f"/api/v1/cases/{registered.number}/dispatch/", {"lead_department": 999999}), 400, "validation_error"
    )
    assert "lead_department" in body["fields"]
    assert_error(staff.post("/api/v1/cases/", "not json", content_type="application/json"), 400, "validation_error")
    assert CaseEvent.objects.filter(case__in=[registered, closed, other_street]).count() == 0


def test_errors_speak_the_requests_language(world):
    staff = token_client(world.users["staff_own"])
    case = world.case_in(CaseState.REGISTERED)
    english = staff.post(f"/api/v1/cases/{case.number}/reject/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = staff.post(f"/api/v1/cases/{case.number}/reject/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.json()["code"] == chinese.json()["code"] == "validation_error"
    assert english.json()["message"] != chinese.json()["message"]
    assert any("\u4e00" <= char <= "\u9fff" for char in chinese.json()["message"])


def test_a_phone_is_masked_for_who_may_not_see_it(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    assert token_client(world.users["staff_own"]).get(f"/api/v1/cases/{case.number}/").json()["reporter_phone"] == (
        "13812341234"
    )
    assert token_client(world.users["leader"]).get(f"/api/v1/cases/{case.number}/").json()["reporter_phone"] == (
        "138****1234"
    )


def test_the_loser_of_a_race_gets_409(world):
    case = world.case_in(CaseState.DISPATCHED)
    officer = token_client(world.users["officer_lead"])
    assert officer.post(f"/api/v1/cases/{case.number}/report_in/").status_code == 200
    # The same button pressed again (or by a colleague) after the case moved on.
    assert_error(officer.post(f"/api/v1/cases/{case.number}/report_in/"), 409, "invalid_state")


# --- filters, ordering, pages ------------------------------------------------------------------------


def test_filters_are_the_pages_filters(world):
    registered = world.case_in(CaseState.REGISTERED, title="青年大街小广告")
    world.case_in(CaseState.CLOSED)
    overdue = world.case_in(CaseState.IN_PROGRESS, resolve_due_at=timezone.now() - datetime.timedelta(hours=1))
    client = token_client(world.users["leader"])

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/v1/cases/?{query}")
        assert response.status_code == 200, response.content
        return {case["number"] for case in response.json()["results"]}

    assert numbers("state=registered") == {registered.number}
    assert numbers("overdue=true") == {overdue.number}
    assert numbers("q=小广告") == {registered.number}
    assert numbers(f"department={world.lead.pk}&state=in_progress") == {overdue.number}
    body = assert_error(client.get("/api/v1/cases/?state=bogus"), 400, "validation_error")
    assert "state" in body["fields"]


def test_cases_page_by_cursor_without_repeats(world):
    for _ in range(7):
        world.case_in(CaseState.REGISTERED)
    client = token_client(world.users["staff_own"])
    seen, url = [], "/api/v1/cases/?page_size=3&ordering=created_at"
    while url:
        body = client.get(url).json()
        assert "count" not in body  # no count over the whole table on every page
        seen += [case["number"] for case in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7


def test_the_case_list_costs_the_same_queries_for_3_or_30_cases(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(world.users["staff_own"])
    counts = []
    for total in (3, 30):
        while Case.objects.count() < total:
            world.case_in(CaseState.DISPATCHED)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/cases/?page_size=50").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


# --- idempotent intake ------------------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_returns_the_first_case(world):
    client = token_client(world.users["staff_own"])
    body = {"title": "积水", "category": world.category.code, "community": world.community.pk}
    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["number"] == again.json()["number"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1

    changed = client.post("/api/v1/cases/", {**body, "title": "别的"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert_error(changed, 422, "idempotency_mismatch")
    assert Case.objects.count() == 1
    # Keys belong to their user: another user's same key files another case.
    other = token_client(UserFactory(is_superuser=True))
    assert other.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert Case.objects.count() == 2


def test_a_failed_create_leaves_its_key_free(world):
    client = token_client(world.users["staff_own"])
    body = {"title": "", "category": world.category.code, "community": world.community.pk}
    assert client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 400
    body["title"] = "补上标题"
    assert client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


# --- photos ---------------------------------------------------------------------------------------------


def test_photos_upload_as_multipart_and_list(world):
    case = world.case_in(CaseState.IN_PROGRESS)
    officer = token_client(world.users["officer_lead"])
    response = officer.post(
        f"/api/v1/cases/{case.number}/photos/",
        {"photos": [photo_upload("a.png"), photo_upload("b.png")], "stage": "after"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    new = response.json()["results"]
    assert [photo["stage"] for photo in new] == ["after", "after"]
    # The file comes with the caller's token (systems have no browser session).
    image = officer.get(new[0]["url"])
    assert image.status_code == 200
    assert image["Content-Type"].startswith("image/")
    assert officer.get(new[0]["thumbnail_url"]).status_code == 200
    outsider = token_client(world.users["staff_other"])
    assert_error(outsider.get(new[0]["url"]), 404, "not_found")
    bad = officer.post(
        f"/api/v1/cases/{case.number}/photos/",
        {"photos": [photo_upload("c.txt")], "stage": "sideways"},
        format="multipart",
    )
    body = assert_error(bad, 400, "validation_error")
    assert "stage" in body["fields"]
    assert case.photos.count() == 2


@pytest.mark.parametrize("path", REFERENCE_RESOURCES)
def test_reference_lists_hold_their_items_in_results(world, path):
    response = token_client(world.users["leader"]).get(f"/api/v1/{path}/")
    assert response.status_code == 200
    assert "results" in response.json()
    assert_error(APIClient().get(f"/api/v1/{path}/"), 401, "not_authenticated")
    # Street staff record volunteers and activities (issue 7): a leader is refused; the rest are read-only.
    refused = 403 if path in ("volunteers", "activities") else 405
    assert token_client(world.users["leader"]).post(f"/api/v1/{path}/", {}).status_code == refused


# --- throttling ------------------------------------------------------------------------------------


@pytest.fixture
def tight_throttles(monkeypatch):
    """The production-like rates (the test settings lift them), on an empty cache."""
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle,
        "THROTTLE_RATES",
        {"user": "3/minute", "anon": "2/minute", "token": "2/minute", "token_username": "5/minute"},
    )
    cache.clear()
    yield
    cache.clear()


def test_signed_in_clients_are_throttled_with_a_retry_time(world, tight_throttles):
    client = APIClient()
    client.force_authenticate(world.users["staff_own"])
    statuses = [client.get("/api/v1/metrics/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/metrics/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_guessing_passwords_is_throttled(world, tight_throttles):
    client = APIClient()
    body = {"username": world.users["staff_own"].username, "password": "guess"}
    assert [client.post("/api/v1/auth/token/", body).status_code for _ in range(3)] == [401, 401, 429]


# --- odd input under /api/v1/: always the JSON error format, never a server error ---------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?cursor=cD1hYmM%3D",  # base64 of "p=abc": a cursor the server never handed out
        "/api/v1/cases/?cursor=not-base64",
        "/api/v1/cases/?ordering=updated_at&cursor=cD0yMDI2LTk5LTk5",
        "/api/v1/tally/?street=99999999999999999999999",
        "/api/v1/metrics/?page=0",
        "/api/v1/cases/x%0A/dispatch/",
        "/api/v1/no/such/thing",
    ],
)
def test_odd_urls_get_a_json_error(world, url):
    response = token_client(world.users["leader"]).get(url)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] in ("validation_error", "not_found")


def test_deeply_nested_json_is_refused_not_crashed(world):
    deep = "[" * 100_000 + "]" * 100_000
    anonymous = APIClient().post("/api/v1/auth/token/", deep, content_type="application/json")
    assert_error(anonymous, 400, "validation_error")
    case = world.case_in(CaseState.IN_PROGRESS)
    officer = token_client(world.users["officer_lead"])
    body = {"note": "x", "tally": deep, "photos": [photo_upload()]}
    assert_error(
        officer.post(f"/api/v1/cases/{case.number}/resolve/", body, format="multipart"), 400, "validation_error"
    )


def test_tally_shows_only_the_entries_of_visible_cases(world):
    from cases import workflow

    mine = world.case_in(CaseState.IN_PROGRESS)
    workflow.resolve(world.users["officer_lead"], mine, note="好了", tally={world.metric.code: "4"})
    numbers = {
        entry["case"] for entry in token_client(world.users["staff_own"]).get("/api/v1/tally/").json()["results"]
    }
    assert numbers == {mine.number}
    assert token_client(world.users["staff_other"]).get("/api/v1/tally/").json()["results"] == []
    leader = token_client(world.users["leader"]).get(f"/api/v1/tally/?case={mine.number}").json()["results"]
    assert [entry["quantity"] for entry in leader] == ["4.00"]


def test_a_leaders_tally_does_not_search_the_case_table_for_visible_cases(world):
    """At a million cases `case_id IN (SELECT id FROM cases_case)` ran for minutes: a leader sees all entries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import workflow

    workflow.resolve(
        world.users["officer_lead"], world.case_in(CaseState.IN_PROGRESS), note="好了", tally={world.metric.code: "4"}
    )
    client = token_client(world.users["leader"])
    with CaptureQueriesContext(connection) as queries:
        results = client.get("/api/v1/tally/").json()["results"]
    assert [entry["quantity"] for entry in results] == ["4.00"]
    listing = [query["sql"] for query in queries.captured_queries if "cases_tallyentry" in query["sql"]]
    assert listing and not any('FROM "cases_case"' in sql.split("FROM", 1)[1] for sql in listing)


def test_a_forged_forwarded_address_does_not_escape_the_sign_in_throttle(world, tight_throttles):
    client = APIClient()
    body = {"username": world.users["staff_own"].username, "password": "guess"}
    statuses = [
        client.post("/api/v1/auth/token/", body, HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}").status_code
        for attempt in range(3)
    ]
    assert statuses == [401, 401, 429]


def test_a_misspelt_yes_no_filter_is_refused(world):
    body = assert_error(
        token_client(world.users["leader"]).get("/api/v1/cases/?overdue=maybe"), 400, "validation_error"
    )
    assert "overdue" in body["fields"]


def test_a_text_search_for_true_is_text(world):
    case = world.case_in(CaseState.REGISTERED, title="true story")
    results = token_client(world.users["leader"]).get("/api/v1/cases/?q=true").json()["results"]
    assert [found["number"] for found in results] == [case.number]
