"""The outbox: notifications and their deliveries are written in the transaction of the event they tell
of, and handed to the worker only once that transaction commits (a rolled-back action sends nothing)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent
from notifications.choices import Channel
from notifications.models import Delivery, Notification, NotificationSettings
from notifications.rules import Planned, plan_for_event


def on_event_recorded(sender: Any, event: CaseEvent, **kwargs: Any) -> None:
    """Receiver of cases.signals.event_recorded: write what the event causes, inside its transaction."""
    for planned in plan_for_event(event):
        write(f"event:{event.pk}", planned, case=event.case, event=event, actor_id=event.actor_id)


def write(key: str, planned: Planned, *, case: Case | None, event: CaseEvent | None = None, actor_id=None) -> int:
    """Write one planned notification for each of its people and robots not yet told under `key`.

    Answers how many people were newly told. Deliveries are enqueued for the worker after commit.
    """
    users = {user.pk: user for user in planned.users if user.pk != actor_id}
    told = set(
        Notification.objects.filter(key=key, kind=planned.kind, recipient__in=list(users)).values_list(
            "recipient_id", flat=True
        )
    )
    data = {**planned.data, "case_title": case.title if case else ""}
    created_at = event.created_at if event else timezone.now()
    new = [
        Notification(
            recipient_id=pk, kind=planned.kind, key=key, case=case, event=event, data=data, created_at=created_at
        )
        for pk in users
        if pk not in told
    ]
    Notification.objects.bulk_create(new)
    created = Notification.objects.filter(key=key, kind=planned.kind, recipient__in=[n.recipient_id for n in new])
    deliveries = _emails(created, users) + _robots(key, planned, case, data) if _is_news(created_at) else []
    Delivery.objects.bulk_create(deliveries)
    if deliveries:
        transaction.on_commit(lambda: _enqueue(key, planned.kind))
    return len(new)


# An event recorded at a time long past (the demo's replayed history) is shown in the app, but nobody is
# sent an e-mail or a robot post about it: such a message would be noise, not a call to act.
NEWS_FOR = datetime.timedelta(hours=1)


def _is_news(moment: datetime.datetime) -> bool:
    return moment >= timezone.now() - NEWS_FOR


def _emails(notifications, users: dict) -> list[Delivery]:
    refused = set(
        NotificationSettings.objects.filter(user__in=list(users), email=False).values_list("user_id", flat=True)
    )
    return [
        Delivery(
            channel=Channel.EMAIL,
            kind=notification.kind,
            key=notification.key,
            notification=notification,
            case_id=notification.case_id,
            address=users[notification.recipient_id].email,
            data=notification.data,
        )
        for notification in notifications
        if users[notification.recipient_id].email and notification.recipient_id not in refused
    ]


def _robots(key: str, planned: Planned, case: Case | None, data: dict) -> list[Delivery]:
    departments = [d for d in planned.departments if d.robot_webhook_url and d.robot_kind]
    posted = set(
        Delivery.objects.filter(
            channel=Channel.WEBHOOK, key=key, kind=planned.kind, department__in=departments
        ).values_list("department_id", flat=True)
    )
    return [
        Delivery(
            channel=Channel.WEBHOOK,
            kind=planned.kind,
            key=key,
            department=department,
            case=case,
            address=department.robot_webhook_url,
            data={**data, "robot_kind": department.robot_kind},
        )
        for department in departments
        if department.pk not in posted
    ]


def _enqueue(key: str, kind: str) -> None:
    from notifications.tasks import deliver_key

    # One job per channel: a slow or failing robot never holds up the e-mails, nor the other way round.
    for channel in Channel.values:
        deliver_key.enqueue(key, kind, channel)
