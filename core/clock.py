"""The workflow's clock: the real time, except where `seed_demo` replays a case's history at past times."""

from __future__ import annotations

import contextvars
import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_moment: contextvars.ContextVar[datetime.datetime | None] = contextvars.ContextVar("workflow_moment", default=None)


def now() -> datetime.datetime:
    """The current time as the workflow sees it."""
    return _moment.get() or timezone.now()


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """Run workflow actions as if it were `moment` (demo data only; real actions use the real time)."""
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)
