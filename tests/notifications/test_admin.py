"""The notifications admin: lists open, deliveries are read-only, "retry now" puts them back in the queue."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Delivery, Notification, NotificationSettings
from tests.utils import client_for

pytestmark = pytest.mark.django_db


def test_admin_lists_open_and_retry_now(world):
    admin_user = world.users["superuser"]
    officer = world.users["officer_lead"]
    notification = Notification.objects.create(recipient=officer, kind="new_report", key="k")
    NotificationSettings.objects.create(user=officer, email=False)
    later = timezone.now() + datetime.timedelta(hours=1)
    failed = Delivery.objects.create(
        channel="email",
        kind="new_report",
        key="k",
        notification=notification,
        address="a@shenhe.example",
        status="failed",
        attempts=8,
        next_attempt_at=later,
        last_error="refused",
    )
    sent = Delivery.objects.create(
        channel="webhook",
        kind="new_report",
        key="k",
        department=world.lead,
        address="https://robot.example/",
        status="sent",
        attempts=1,
    )
    client = client_for(admin_user)
    for name in ("notification", "delivery", "notificationsettings"):
        assert client.get(reverse(f"admin:notifications_{name}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:notifications_delivery_changelist"), {"status__exact": "failed"}).status_code == 200
    )
    assert client.get(reverse("admin:notifications_delivery_change", args=[failed.pk])).status_code == 200
    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    response = client.post(
        reverse("admin:notifications_delivery_changelist"),
        {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
    )
    assert response.status_code == 302
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 0 and failed.next_attempt_at <= timezone.now()
    assert sent.status == "sent" and sent.attempts == 1
