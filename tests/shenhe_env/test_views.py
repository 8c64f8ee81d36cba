"""Site-wide pages: login in both languages, the home page, health check, errors, headers."""

import datetime
import re
from unittest import mock

import pytest
from django.db import DatabaseError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from communities.choices import Role
from core.models import WorkerHeartbeat
from tests.factories import (
    TEST_PASSWORD,
    AssignmentFactory,
    BranchPairingFactory,
    CaseFactory,
    CategoryFactory,
    CommunityFactory,
    RoadFactory,
    StaffProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_ran(db):
    """A worker finished a job a moment ago (as the schedule makes one do every minute)."""
    return WorkerHeartbeat.objects.create(worker_id="test:1", last_finished_at=timezone.now(), last_task="x")


def test_healthz_says_the_database_cache_and_worker_answer(client, worker_ran):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"], body["worker"]["ok"]) == ("ok", True, True, True)
    assert body["worker"]["seconds_since_last_job"] <= 5 and "reasons" not in body


def test_healthz_reports_a_database_outage_as_503(client, worker_ran):
    with mock.patch("shenhe_env.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] is False and "the database does not answer" in body["reasons"]


def test_healthz_is_503_when_no_worker_ever_finished_a_job(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["worker: no worker has finished a job yet"]


def test_healthz_is_503_when_the_worker_stopped_five_minutes_ago(client, worker_ran):
    WorkerHeartbeat.objects.update(last_finished_at=timezone.now() - datetime.timedelta(minutes=6))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["reason"] == "no worker has finished a job for 6 minutes"


def test_healthz_is_503_when_the_cache_keeps_nothing(client, worker_ran):
    with mock.patch("shenhe_env.views.cache.get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["cache"] is False


# db_worker closes old connections, which ends a test transaction on PostgreSQL: commit for real.
@pytest.mark.django_db(transaction=True)
def test_a_job_run_by_the_worker_stamps_its_heartbeat(client):
    from django.core.management import call_command

    from cases.tasks import escalate_overdue

    escalate_overdue.enqueue()
    assert client.get("/healthz").status_code == 503
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert WorkerHeartbeat.objects.get().last_task == "cases.tasks.escalate_overdue"
    assert client.get("/healthz").status_code == 200


def test_login_page_is_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in content
    assert "登录" in content and "用户名" in content and "密码" in content
    assert "Sign in" not in content


def test_login_page_is_in_english_after_switching(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"}, follow=True)
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert '<html lang="en">' in content
    assert "Sign in" in content and "Username" in content
    assert "登录" not in content
    # ... and back to Chinese.
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"}, follow=True)
    assert "登录" in response.content.decode()


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client):
    content = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-Hans">' in content and "登录" in content
    client.cookies["django_language"] = "en"
    content = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in content


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx-evil"
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in response.content.decode()


def test_wrong_password_is_refused_with_a_chinese_message(client):
    StaffProfileFactory(user=UserFactory(username="wang"))
    response = client.post("/accounts/login/", {"username": "wang", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/")


def test_logout_is_a_post_and_ends_the_session(client):
    profile = StaffProfileFactory()
    client.force_login(profile.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def _home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_greets_street_staff_with_their_street_and_its_communities(client):
    profile = StaffProfileFactory(user=UserFactory(last_name="王", first_name="晓燕"))
    paired = CommunityFactory(street=profile.street, name="青年社区")
    BranchPairingFactory(community=paired, branch__name="区委办公室第一党支部")
    CommunityFactory(street=profile.street, name="文艺社区")
    CommunityFactory(name="别的街道社区")
    content = _home(client, profile.user)
    assert "王晓燕" in content
    assert "街道工作人员" in content and profile.street.name in content
    assert "青年社区" in content and "区委办公室第一党支部" in content
    assert "文艺社区" in content and "未包保" in content
    assert "别的街道社区" not in content


def test_home_shows_a_road_chief_their_roads(client):
    profile = StaffProfileFactory(road_chief=True)
    RoadFactory(street=profile.street, name="青年大街", road_chief=profile.user)
    RoadFactory(street=profile.street, name="文艺路")
    content = _home(client, profile.user)
    assert "路长" in content and "青年大街" in content
    assert "文艺路" not in content


def test_home_shows_an_officer_the_categories_their_department_leads(client):
    profile = StaffProfileFactory(officer=True, department__name="沈河区城市管理行政执法局")
    CategoryFactory(name="占道经营", default_department=profile.department)
    CategoryFactory(name="僵尸车")
    content = _home(client, profile.user)
    assert "职能部门人员" in content and "沈河区城市管理行政执法局" in content
    assert "占道经营" in content and "僵尸车" not in content


def test_home_shows_a_leader_the_drive_and_its_campaigns(client):
    profile = StaffProfileFactory(leader=True)
    category = CategoryFactory(campaign__name="楼道清洁整治", campaign__drive__name="2021 环境整治攻坚月")
    content = _home(client, profile.user)
    assert "区领导" in content
    assert category.campaign.drive.name in content and "楼道清洁整治" in content


def test_home_tells_an_account_without_a_role_what_to_do(client):
    content = _home(client, UserFactory())
    assert "未分配角色" in content


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.ROAD_CHIEF, Role.DEPT_OFFICER, Role.LEADER])
def test_home_query_count_does_not_grow_with_the_data(client, django_assert_max_num_queries, role):
    traits = {Role.ROAD_CHIEF: {"road_chief": True}, Role.DEPT_OFFICER: {"officer": True}}
    profile = StaffProfileFactory(**{Role.LEADER: {"leader": True}}.get(role, traits.get(role, {})))
    for _ in range(15):
        community = CommunityFactory(street=profile.street) if profile.street else CommunityFactory()
        BranchPairingFactory(community=community)
        RoadFactory(street=community.street, road_chief=profile.user if role == Role.ROAD_CHIEF else None)
        CategoryFactory(default_department=profile.department) if profile.department else CategoryFactory()
        case = CaseFactory(community=community)
        if profile.department:
            AssignmentFactory(case=case, department=profile.department)
    client.force_login(profile.user)
    # Session, user and profile, one count per work queue (street staff have six), and the overview.
    with django_assert_max_num_queries(16):
        assert client.get("/").status_code == 200


def test_unknown_page_is_a_translated_404_without_a_traceback(client):
    response = client.get("/no-such-page/")
    content = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in content
    assert "Traceback" not in content


@pytest.mark.parametrize("path", ["/accounts/login/", "/healthz"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_pages_load_no_asset_from_another_host(client):
    content = client.get("/accounts/login/").content.decode()
    assert "http://" not in content and "https://" not in content and "//cdn" not in content


def test_admin_is_in_chinese_for_the_administrator(client):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    content = client.get("/admin/").content.decode()
    assert "沈河区环境整治 · 系统管理" in content and "基础数据与账号" in content
    assert "社区" in content and "问题类别" in content and "党支部" in content


def test_the_login_form_signs_in_and_goes_home(client):
    StaffProfileFactory(user=UserFactory(username="li"))
    response = client.post("/accounts/login/", {"username": "li", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "_auth_user_id" in client.session


@override_settings(ROOT_URLCONF="tests.shenhe_env.urls_failing")
def test_an_unexpected_error_is_a_translated_page_without_a_traceback(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    content = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in content and "错误已记录" in content
    assert "RuntimeError" not in content and "Traceback" not in content


def test_leader_figures_count_each_community_once_whatever_its_pairing_history(client):
    moved = BranchPairingFactory(ends_on=datetime.date(2021, 9, 1))
    BranchPairingFactory(community=moved.community, starts_on=datetime.date(2021, 9, 2))
    CommunityFactory()
    content = _home(client, StaffProfileFactory(leader=True).user)
    values = re.findall(r'figure-value">(\d+)</div>\s*<div class="text-body-secondary small">([^<]+)<', content)
    assert {label: int(value) for value, label in values} == {"社区": 2, "已有包保支部的社区": 1, "志愿者": 0}


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"])
def test_production_redirects_pages_to_https_but_not_the_health_check(client, worker_ran):
    assert client.get("/accounts/login/").status_code == 301
    assert client.get("/healthz").status_code == 200


def test_machine_clients_under_api_paths_get_the_language_they_ask_for(client):
    english = client.get("/api/v1/no-such-resource/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/v1/no-such-resource/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english.status_code == chinese.status_code == 404
    assert english.json()["code"] == chinese.json()["code"] == "not_found"
    assert "no such API endpoint" in english.json()["message"]
    assert "没有该接口" in chinese.json()["message"]
