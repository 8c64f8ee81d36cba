"""Sending the outbox: e-mail through EMAIL_URL, posts to WeCom / DingTalk group robots, with retries.

Each delivery is claimed (pending → sending) by one conditional update, so two workers never send the
same one; sent is marked right after the server accepted it. A worker killed in between leaves it
`sending`; `release_stalled` hands it back after DELIVERY_CLAIM_TIMEOUT. A failure is retried with
backoff (1, 2, 4 … minutes, at most an hour) until NOTIFICATION_MAX_ATTEMPTS; each delivery is sent on
its own, so one failing channel or address never holds up another.
"""

from __future__ import annotations

import datetime
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone, translation

from notifications.choices import Channel, DeliveryStatus
from notifications.messages import text, title
from notifications.models import Delivery, NotificationSettings

logger = logging.getLogger(__name__)

DELIVERY_CLAIM_TIMEOUT = datetime.timedelta(minutes=5)
MAX_BACKOFF = datetime.timedelta(hours=1)
BATCH = 500


class DeliveryFailed(Exception):
    """The server refused the message or did not answer; the delivery will be tried again."""


def backoff(attempts: int) -> datetime.timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most an hour."""
    return min(datetime.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(pk: int, now: datetime.datetime) -> Delivery | None:
    claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None  # another worker has it, or it is not due
    return Delivery.objects.select_related("case", "notification__recipient").get(pk=pk)


def _language(delivery: Delivery) -> str:
    if delivery.channel == Channel.EMAIL and delivery.notification_id:
        chosen = (
            NotificationSettings.objects.filter(user_id=delivery.notification.recipient_id)
            .values_list("language", flat=True)
            .first()
        )
        return chosen or settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def _send_email(delivery: Delivery, subject: str, body: str, connection: Any = None) -> None:
    message = EmailMessage(subject=subject, body=body, to=[delivery.address], connection=connection)
    try:
        if connection is not None:
            connection.open()  # kept open across a batch: one SMTP session, not one per message
        sent = message.send(fail_silently=False)
    except Exception as error:  # smtplib, socket and TLS errors alike: the server did not take it
        if connection is not None:
            connection.close()  # the next message opens a fresh session
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    if not sent:
        raise DeliveryFailed("the mail server accepted no recipient")


def robot_payload(robot_kind: str, subject: str, body: str) -> dict:
    """The JSON a WeCom or DingTalk group robot takes: a markdown message (their published formats)."""
    if robot_kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n\n{body}"}}
    return {"msgtype": "markdown", "markdown": {"content": f"**{subject}**\n{body}"}}


def _post_robot(delivery: Delivery, subject: str, body: str) -> None:
    # Only a web address: urllib would also read file:// (and count a local file as the robot's answer)
    # or try ftp://, and a URL it cannot parse must fail like any refusal, not as a crash.
    scheme = urllib.parse.urlsplit(delivery.address).scheme.lower()
    if scheme not in ("http", "https"):
        raise DeliveryFailed(f"the robot address is not an http(s) URL: {delivery.address[:200]!r}")
    payload = json.dumps(robot_payload(delivery.data.get("robot_kind", ""), subject, body), ensure_ascii=False)
    request = urllib.request.Request(
        delivery.address,
        data=payload.encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFICATION_WEBHOOK_TIMEOUT) as response:
            answer = response.read(64 * 1024)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}") from error
    try:
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        code = 0  # a robot that answers 200 without JSON took the message
    if code:
        raise DeliveryFailed(f"the robot answered errcode {code}: {answer[:200]!r}")


def send(delivery: Delivery, connection: Any = None) -> None:
    """Send one claimed delivery through its channel, in its reader's language; raises DeliveryFailed."""
    number = delivery.case.number if delivery.case_id else None
    with translation.override(_language(delivery)):
        subject, body = title(delivery.kind, delivery.data, number), text(delivery.kind, delivery.data, number)
    if delivery.channel == Channel.EMAIL:
        _send_email(delivery, subject, body, connection)
    else:
        _post_robot(delivery, subject, body)


def deliver(pk: int, now: datetime.datetime | None = None, connection: Any = None) -> str | None:
    """Claim, send and mark one delivery; answers its new status, or None if it was not ours to send."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return None
    try:
        send(delivery, connection)
    except DeliveryFailed as error:
        return _failed(delivery, str(error))
    except Exception as error:  # a bug must not leave it `sending` for good
        logger.exception("Delivery %s failed unexpectedly", pk)
        return _failed(delivery, f"{type(error).__name__}: {error}")
    Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT


def _failed(delivery: Delivery, error: str) -> str:
    if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        status, next_attempt = DeliveryStatus.FAILED, delivery.next_attempt_at
    else:
        status, next_attempt = DeliveryStatus.PENDING, timezone.now() + backoff(delivery.attempts)
    logger.warning("Delivery %s (%s to %s) failed: %s", delivery.pk, delivery.channel, delivery.address, error)
    Delivery.objects.filter(pk=delivery.pk).update(status=status, next_attempt_at=next_attempt, last_error=error[:2000])
    return status


def release_stalled(now: datetime.datetime | None = None) -> int:
    """Hand back deliveries claimed by a worker that died before marking them (sent at most once more)."""
    now = now or timezone.now()
    return Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - DELIVERY_CLAIM_TIMEOUT).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now
    )


def due(now: datetime.datetime, **filters) -> list[int]:
    """Ids of pending deliveries due now, oldest first (at most BATCH)."""
    pending = Delivery.objects.filter(Q(status=DeliveryStatus.PENDING), next_attempt_at__lte=now, **filters)
    return list(pending.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])


def deliver_all(ids: list[int]) -> dict[str, int]:
    """Deliver each of `ids` in turn over one mail session; answers how many ended in each status."""
    counts: dict[str, int] = {}
    mail = get_connection(fail_silently=False)
    try:
        for pk in ids:
            status = deliver(pk, connection=mail)
            if status:
                counts[status] = counts.get(status, 0) + 1
    finally:
        mail.close()
    return counts
