"""Demo notifications: the replayed history reads as already seen, so the bell shows what is new."""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone

from notifications.models import Notification

SEEN_AFTER = datetime.timedelta(days=1)


def settle_history(now: datetime.datetime | None = None) -> int:
    """Mark the demo's notifications of events more than a day old as read (an hour after they came)."""
    cutoff = (now or timezone.now()) - SEEN_AFTER
    return Notification.objects.filter(read_at__isnull=True, created_at__lt=cutoff).update(
        read_at=F("created_at") + datetime.timedelta(hours=1)
    )
