"""The working-time calendar (DESIGN.md §11): which days are working days and how deadlines count on them.

A category's clock is `calendar` (around the clock) or `working` (settings.WORKING_HOURS on working days).
A working day is a Monday to Friday that is not a public holiday, or a make-up workday (调休) the admin
listed (CalendarDay). The arithmetic is pure: it takes the calendar as a mapping of date to CalendarDayKind
(only the days that differ from the week); `DatabaseCalendar` is that mapping read from the database one
year at a time, so a computation makes one query per year it touches.

A working-time deadline ends at the last working minute it needs: 7.5 working hours from 08:30 are due at
17:00 that day, not at 08:30 the next working day. A start outside working hours counts from the next
working minute. All times are aware; days are local days (settings.TIME_ZONE).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings

from cases.choices import CalendarDayKind, Clock

if TYPE_CHECKING:
    from cases.models import Category

# How far the arithmetic looks for working time before it gives up (a calendar with no working days).
SEARCH_LIMIT_DAYS = 3 * 366

Interval = tuple[datetime.time, datetime.time]


class Calendar(Protocol):
    """The days that differ from the week: date → CalendarDayKind, None for an ordinary day."""

    def get(self, day: datetime.date, /) -> str | None: ...


class DatabaseCalendar:
    """The admin's calendar (CalendarDay), read one year at a time on first use."""

    def __init__(self) -> None:
        self._years: dict[int, dict[datetime.date, str]] = {}

    def get(self, day: datetime.date, /) -> str | None:
        if day.year not in self._years:
            from cases.models import CalendarDay

            rows = CalendarDay.objects.filter(date__year=day.year).values_list("date", "kind")
            self._years[day.year] = dict(rows)
        return self._years[day.year].get(day)


def local_zone() -> ZoneInfo:
    """The zone whose days and hours the working time counts in (settings.TIME_ZONE)."""
    return ZoneInfo(settings.TIME_ZONE)


@cache
def _parse_hours(hours: tuple[tuple[str, str], ...]) -> tuple[Interval, ...]:
    intervals = tuple((datetime.time.fromisoformat(start), datetime.time.fromisoformat(end)) for start, end in hours)
    for (start, end), following in zip(intervals, (*intervals[1:], None), strict=True):
        if not start < end or (following is not None and not end <= following[0]):
            raise ValueError(f"WORKING_HOURS must be ordered, non-overlapping intervals: {hours!r}")
    return intervals


def working_hours() -> tuple[Interval, ...]:
    """settings.WORKING_HOURS as (start, end) times of day, in order."""
    return _parse_hours(tuple(tuple(pair) for pair in settings.WORKING_HOURS))


def is_working_day(day: datetime.date, calendar: Calendar | Mapping[datetime.date, str]) -> bool:
    """Whether `day` is a working day: a listed make-up workday, or a weekday that is not a listed holiday."""
    kind = calendar.get(day)
    if kind == CalendarDayKind.WORKDAY:
        return True
    if kind == CalendarDayKind.HOLIDAY:
        return False
    return day.weekday() < 5


def _periods(
    start: datetime.datetime,
    calendar: Calendar | Mapping[datetime.date, str],
    hours: tuple[Interval, ...],
    *,
    days: int | None = None,
) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
    """The working periods from `start` on, in order, the first one clipped to begin at `start`.

    With `days`, those of that many local days only; without, until the caller stops (raises past the limit).
    """
    zone = local_zone()
    local = start.astimezone(zone)
    day = local.date()
    for _offset in range(days if days is not None else SEARCH_LIMIT_DAYS):
        if is_working_day(day, calendar):
            for opens, closes in hours:
                period_start = datetime.datetime.combine(day, opens, tzinfo=zone)
                period_end = datetime.datetime.combine(day, closes, tzinfo=zone)
                if period_end <= local:
                    continue
                yield max(period_start, local), period_end
        day += datetime.timedelta(days=1)
    if days is not None:
        return
    raise ValueError(f"No working time within {SEARCH_LIMIT_DAYS} days of {start.isoformat()}.")


def add_working_time(
    start: datetime.datetime,
    duration: datetime.timedelta,
    *,
    calendar: Calendar | Mapping[datetime.date, str],
    hours: tuple[Interval, ...] | None = None,
) -> datetime.datetime:
    """The moment `duration` of working time after `start` has been worked (local time, aware)."""
    if duration <= datetime.timedelta(0):
        return start.astimezone(local_zone())
    remaining = duration
    for period_start, period_end in _periods(start, calendar, hours or working_hours()):
        length = period_end - period_start
        if remaining <= length:
            return period_start + remaining
        remaining -= length
    raise AssertionError("unreachable: _periods raises when it runs out")  # pragma: no cover


def working_duration(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    calendar: Calendar | Mapping[datetime.date, str],
    hours: tuple[Interval, ...] | None = None,
) -> datetime.timedelta:
    """The working time between `start` and `end` (zero if `end` is not after `start`)."""
    total = datetime.timedelta(0)
    if end <= start:
        return total
    days = (end.astimezone(local_zone()).date() - start.astimezone(local_zone()).date()).days + 1
    for period_start, period_end in _periods(start, calendar, hours or working_hours(), days=days):
        if period_start >= end:
            break
        total += min(period_end, end) - period_start
    return total


def due_at(
    category: Category,
    start: datetime.datetime,
    hours: float,
    *,
    calendar: Calendar | Mapping[datetime.date, str] | None = None,
) -> datetime.datetime:
    """`hours` after `start` by the category's clock: calendar hours, or working hours per the calendar."""
    return add_by_clock(category, start, datetime.timedelta(hours=hours), calendar=calendar)


def duration_by_clock(
    category: Category,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    calendar: Calendar | Mapping[datetime.date, str] | None = None,
    around_the_clock: bool = False,
) -> datetime.timedelta:
    """How long from `start` to `end` by the category's clock (e.g. for lateness and mean times).

    `around_the_clock` counts calendar time whatever the category (a whistle's report-in).
    """
    if category.clock == Clock.WORKING and not around_the_clock:
        return working_duration(start, end, calendar=calendar if calendar is not None else DatabaseCalendar())
    return max(end - start, datetime.timedelta(0))


def add_by_clock(
    category: Category,
    start: datetime.datetime,
    duration: datetime.timedelta,
    *,
    calendar: Calendar | Mapping[datetime.date, str] | None = None,
    around_the_clock: bool = False,
) -> datetime.datetime:
    """The moment `duration` by the category's clock after `start` (calendar time if `around_the_clock`)."""
    if category.clock == Clock.WORKING and not around_the_clock:
        return add_working_time(start, duration, calendar=calendar if calendar is not None else DatabaseCalendar())
    return start + duration


def day_length(category: Category) -> datetime.timedelta:
    """One day by the category's clock: 24 hours, or the working hours of one working day."""
    if category.clock == Clock.WORKING:
        day = datetime.date.min
        periods = working_hours()
        return sum(
            (datetime.datetime.combine(day, end) - datetime.datetime.combine(day, start) for start, end in periods),
            datetime.timedelta(0),
        )
    return datetime.timedelta(days=1)
