"""The outbox (DESIGN.md §9): written in the event's transaction, handed to the worker after commit,
delivered once per recipient and channel, retried with backoff, given up after NOTIFICATION_MAX_ATTEMPTS.

E-mails go to a real SMTP server and robot posts to a real HTTP server (tests/notifications/conftest.py).
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cases import workflow
from cases.choices import CaseState
from cases.models import CaseEvent
from communities.choices import RobotKind
from notifications import delivery, tasks
from notifications.choices import Channel, DeliveryStatus, NotificationKind
from notifications.models import Delivery, Notification


class Boom(Exception):
    pass


@pytest.fixture
def district(world, robot_server):
    for name, user in world.users.items():
        user.email = f"{name}@shenhe.example"
        user.save(update_fields=["email"])
    for department in (world.lead, world.assist):
        department.robot_kind = RobotKind.WECOM
        department.robot_webhook_url = robot_server.url(f"/{department.pk}")
        department.save(update_fields=["robot_kind", "robot_webhook_url"])
    return world


def dispatch(world):
    case = world.case_in(CaseState.REGISTERED)
    return workflow.dispatch(
        world.users["staff_own"], case, lead_department=world.lead, assist_departments=[world.assist]
    )


def event_key(case) -> str:
    return f"event:{CaseEvent.objects.filter(case=case).latest('pk').pk}"


def run_worker():
    """The Procfile's worker, for one batch. Its close_old_connections() closes a connection inside a test's
    transaction (PostgreSQL), so the tests that run it commit for real (django_db(transaction=True))."""
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


worker_commits = pytest.mark.django_db(transaction=True)


def test_a_rolled_back_action_leaves_no_notification_and_enqueues_nothing(
    district, smtp_server, robot_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom), transaction.atomic():
        case = dispatch(district)
        # Inside the transaction the outbox rows exist …
        assert Notification.objects.filter(case=case).exists() and Delivery.objects.filter(case=case).exists()
        raise Boom
    # … and the rollback takes them with it; nothing was handed to the worker.
    assert callbacks == []
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert not CaseEvent.objects.filter(action="dispatch").exists()
    assert not DBTaskResult.objects.exists()  # the worker has nothing to run
    tasks.deliver_due.call()
    assert smtp_server.messages == [] and robot_server.bodies == []


def test_deliveries_are_enqueued_after_commit_one_job_per_channel(district, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = dispatch(district)
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    assert len(callbacks) == 1
    key = event_key(case)
    jobs = DBTaskResult.objects.filter(task_path="notifications.tasks.deliver_key")
    assert sorted(tuple(job.args_kwargs["args"]) for job in jobs) == sorted(
        (key, NotificationKind.DISPATCH, channel) for channel in Channel.values
    )
    assert Delivery.objects.filter(key=key, status=DeliveryStatus.PENDING).count() == 4  # 2 e-mails, 2 robots


@worker_commits
def test_the_worker_delivers_enqueued_jobs_to_the_real_servers(district, smtp_server, robot_server):
    case = dispatch(district)  # commits, and so enqueues its jobs
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    run_worker()
    assert smtp_server.recipients() == ["officer_assist@shenhe.example", "officer_lead@shenhe.example"]
    assert len(robot_server.bodies) == 2
    assert sorted(robot_server.paths) == sorted(f"/{d.pk}" for d in (district.lead, district.assist))
    assert set(Delivery.objects.filter(case=case).values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    # A second worker pass, or the periodic retry, sends nothing again.
    run_worker()
    tasks.deliver_due.call()
    assert len(smtp_server.messages) == 2 and len(robot_server.bodies) == 2


def test_a_delivery_left_sending_by_a_killed_worker_is_delivered_exactly_once(district, smtp_server, robot_server):
    case = dispatch(district)
    key = event_key(case)
    stalled = Delivery.objects.filter(key=key, channel=Channel.EMAIL).order_by("pk").first()
    killed_at = timezone.now() - delivery.DELIVERY_CLAIM_TIMEOUT - datetime.timedelta(seconds=30)
    Delivery.objects.filter(pk=stalled.pk).update(status=DeliveryStatus.SENDING, claimed_at=killed_at, attempts=1)
    # A claim younger than the timeout belongs to a worker still at it: it is left alone.
    recent = Delivery.objects.filter(key=key, channel=Channel.EMAIL).exclude(pk=stalled.pk).get()
    Delivery.objects.filter(pk=recent.pk).update(status=DeliveryStatus.SENDING, claimed_at=timezone.now(), attempts=1)

    tasks.deliver_due.call()
    tasks.deliver_due.call()

    stalled.refresh_from_db()
    assert stalled.status == DeliveryStatus.SENT and stalled.attempts == 2 and stalled.sent_at
    assert [message["To"] for message in smtp_server.messages] == [stalled.address]
    assert Delivery.objects.get(pk=recent.pk).status == DeliveryStatus.SENDING
    assert len(robot_server.bodies) == 2  # the robots' pending posts went out with it, once each


@worker_commits
def test_a_failing_robot_is_retried_with_backoff_while_the_emails_go_at_once(
    district, smtp_server, robot_server, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 4
    robot_server.status = 500
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = dispatch(district)
        run_worker()
    assert smtp_server.recipients() == ["officer_assist@shenhe.example", "officer_lead@shenhe.example"]
    robots = Delivery.objects.filter(case=case, channel=Channel.WEBHOOK)
    assert robots.count() == 2
    for robot in robots:
        assert robot.status == DeliveryStatus.PENDING and robot.attempts == 1
        assert robot.next_attempt_at == start + datetime.timedelta(minutes=1)
        assert "500" in robot.last_error
    assert len(robot_server.bodies) == 2

    # Not due yet: nothing is tried.
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        assert tasks.deliver_due.call() == {}
    assert len(robot_server.bodies) == 2

    # 1, 2, 4 minutes between tries, then it gives up after the 4th.
    moment = start
    for attempts, wait in ((2, 1), (3, 2), (4, 4)):
        moment += datetime.timedelta(minutes=wait)
        with time_machine.travel(moment, tick=False):
            tasks.deliver_due.call()
        for robot in robots.all():
            assert robot.attempts == attempts
            if attempts < 4:
                assert robot.status == DeliveryStatus.PENDING
                assert robot.next_attempt_at == moment + delivery.backoff(attempts)
    for robot in robots.all():
        assert robot.status == DeliveryStatus.FAILED and robot.sent_at is None
        assert "HTTP Error 500" in robot.last_error
    assert len(robot_server.bodies) == 2 * 4
    with time_machine.travel(moment + datetime.timedelta(days=1), tick=False):
        assert tasks.deliver_due.call() == {}
    assert len(robot_server.bodies) == 8 and len(smtp_server.messages) == 2


def test_a_robot_that_recovers_is_sent_on_the_next_try(district, smtp_server, robot_server):
    robot_server.errcode = 93000
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        case = dispatch(district)
        tasks.deliver_due.call()
    robots = Delivery.objects.filter(case=case, channel=Channel.WEBHOOK)
    assert set(robots.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert all("93000" in error for error in robots.values_list("last_error", flat=True))
    robot_server.errcode = 0
    with time_machine.travel(start + datetime.timedelta(minutes=1), tick=False):
        assert tasks.deliver_due.call() == {DeliveryStatus.SENT: 2}
    assert set(robots.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert set(robots.values_list("last_error", flat=True)) == {""}


def test_an_event_replayed_at_a_past_time_is_shown_in_the_app_but_sent_nowhere(district):
    from core import clock

    with clock.at(timezone.now() - datetime.timedelta(days=3)):  # as seed_demo replays its history
        case = dispatch(district)
    assert Notification.objects.filter(case=case, recipient=district.users["officer_lead"]).exists()
    assert not Delivery.objects.filter(case=case).exists()
    fresh = dispatch(district)
    assert Delivery.objects.filter(case=fresh).count() == 4


def test_backoff_doubles_up_to_an_hour():
    assert [delivery.backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
