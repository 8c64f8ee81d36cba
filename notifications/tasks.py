"""Jobs of the notifications app, run by the worker (core/worker.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.schedule import periodic
from core.worker import task
from notifications import delivery
from notifications.outbox import write
from notifications.rules import due_reminders


@task()
def deliver_key(key: str, kind: str, channel: str) -> dict[str, int]:
    """Send the deliveries one event (or reminder) caused through one channel, right after it committed."""
    return delivery.deliver_all(delivery.due(timezone.now(), key=key, kind=kind, channel=channel))


@periodic(minutes=1)
@task()
def deliver_due() -> dict[str, int]:
    """Retry what failed before and is due again, and what a dead worker left half-sent."""
    delivery.release_stalled()
    return delivery.deliver_all(delivery.due(timezone.now()))


@periodic(minutes=1)
@task()
def send_report_in_reminders() -> int:
    """Remind whistled departments that have not reported in, ten minutes before their deadline."""
    told = 0
    for key, case, planned in due_reminders(timezone.now()):
        with transaction.atomic():
            told += write(key, planned, case=case)
    return told
