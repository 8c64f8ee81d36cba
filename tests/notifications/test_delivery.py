"""What reaches people (DESIGN.md §9): e-mails at a real SMTP server in each reader's language with a
link to the case, and WeCom / DingTalk robot posts in their published formats at a real HTTP server."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation

from cases import workflow
from cases.choices import CaseState
from communities.choices import RobotKind
from notifications import delivery, tasks
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Delivery, NotificationSettings
from tests.notifications.conftest import free_port

SITE = "https://huanjing.shenhe.example"


@pytest.fixture
def district(world, settings):
    settings.SITE_URL = SITE
    for name, user in world.users.items():
        user.email = f"{name}@shenhe.example"
        user.save(update_fields=["email"])
    return world


def dispatched(world, *, whistle=False):
    case = world.case_in(CaseState.REGISTERED, title="和平小区门前乱堆乱放")
    return workflow.dispatch(
        world.users["staff_own"],
        case,
        lead_department=world.lead,
        assist_departments=[world.assist],
        whistle=whistle,
    )


def hhmm(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_each_reader_gets_the_email_in_their_language_with_a_link_to_the_case(district, smtp_server, settings):
    NotificationSettings.objects.create(user=district.users["officer_lead"], language="en")
    case = dispatched(district)
    assert tasks.deliver_due.call() == {DeliveryStatus.SENT: 2}

    link = f"{SITE}/cases/{case.number}/"
    due = hhmm(case.report_in_due_at)
    [english] = smtp_server.to("officer_lead@shenhe.example")
    assert english["Subject"].strip() == f"Case {case.number} was dispatched to your department; report in by {due}"
    body = english.get_content()
    assert f"Open it: {link}" in body and "Case: 和平小区门前乱堆乱放" in body

    [chinese] = smtp_server.to("officer_assist@shenhe.example")
    assert chinese["Subject"].strip() == f"案件 {case.number} 已派遣至本部门，请于 {due} 前报到"
    body = chinese.get_content()
    assert f"查看：{link}" in body and "案件：和平小区门前乱堆乱放" in body
    assert "Open it" not in body

    for message in smtp_server.messages:
        assert "noreply@shenhe.example" in message["From"]
    # Sending in English did not leave the worker in English.
    assert translation.get_language() == "zh-hans"
    assert Delivery.objects.filter(case=case, status=DeliveryStatus.SENT).count() == 2


def test_an_email_the_server_refuses_is_retried(district, smtp_server, settings):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    case = dispatched(district)
    tasks.deliver_due.call()
    emails = Delivery.objects.filter(case=case, channel=Channel.EMAIL)
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert all(e.attempts == 1 and e.last_error for e in emails)
    assert smtp_server.messages == []


def set_robot(department, kind, url):
    department.robot_kind = kind
    department.robot_webhook_url = url
    department.save(update_fields=["robot_kind", "robot_webhook_url"])


def test_wecom_and_dingtalk_robots_get_their_markdown_formats(district, robot_server):
    set_robot(district.lead, RobotKind.WECOM, robot_server.url("/cgi-bin/webhook/send?key=wecom"))
    set_robot(district.assist, RobotKind.DINGTALK, robot_server.url("/robot/send?access_token=dingtalk"))
    case = dispatched(district, whistle=True)
    robots = Delivery.objects.filter(case=case, channel=Channel.WEBHOOK)
    assert delivery.deliver_all(list(robots.values_list("pk", flat=True))) == {DeliveryStatus.SENT: 2}

    posted = dict(zip(robot_server.paths, robot_server.bodies, strict=True))
    subject = f"吹哨：请于 {hhmm(case.report_in_due_at)} 前对 {case.number} 报到"
    link = f"{SITE}/cases/{case.number}/"
    wecom = posted["/cgi-bin/webhook/send?key=wecom"]
    assert wecom["msgtype"] == "markdown" and set(wecom["markdown"]) == {"content"}
    assert wecom["markdown"]["content"].startswith(f"**{subject}**\n")
    assert f"查看：{link}" in wecom["markdown"]["content"]
    dingtalk = posted["/robot/send?access_token=dingtalk"]
    assert dingtalk["msgtype"] == "markdown" and set(dingtalk["markdown"]) == {"title", "text"}
    assert dingtalk["markdown"]["title"] == subject
    assert dingtalk["markdown"]["text"].startswith(f"#### {subject}\n\n") and link in dingtalk["markdown"]["text"]
    for headers in robot_server.headers:
        assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert set(robots.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.parametrize("status, errcode", [(200, 93000), (200, 310000), (500, 0)])
def test_a_robot_refusal_counts_as_a_failure(district, robot_server, status, errcode):
    robot_server.status, robot_server.errcode = status, errcode
    set_robot(district.lead, RobotKind.WECOM, robot_server.url())
    case = dispatched(district)
    robot = Delivery.objects.get(case=case, channel=Channel.WEBHOOK)
    assert delivery.deliver(robot.pk) == DeliveryStatus.PENDING
    robot.refresh_from_db()
    assert robot.attempts == 1 and robot.sent_at is None
    assert robot.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    assert (str(errcode) if errcode else "500") in robot.last_error
    assert len(robot_server.bodies) == 1


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/robot", "gopher://127.0.0.1:70/", "//127.0.0.1/robot"]
)
def test_a_robot_address_that_is_not_http_is_refused_without_sending(district, robot_server, url):
    set_robot(district.lead, RobotKind.WECOM, robot_server.url())
    case = dispatched(district)
    robot = Delivery.objects.get(case=case, channel=Channel.WEBHOOK)
    Delivery.objects.filter(pk=robot.pk).update(address=url)
    assert delivery.deliver(robot.pk) == DeliveryStatus.PENDING
    robot.refresh_from_db()
    assert robot.sent_at is None and "http" in robot.last_error
    assert robot_server.bodies == []
