"""Importing the working-time calendar (CalendarDay) from a small CSV or XLSX file: `date,kind,name` per row.

All or nothing: every row is checked first, and one bad row saves none. A date already in the calendar
takes the file's kind and name, so importing the same file again changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cases.choices import CalendarDayKind
from cases.models import CalendarDay
from core.tabular import ImportColumn, ImportFileError, cell_text, normalise_header, parse_date, read_table

# The shipped demo calendar: the State Council's holiday notices (国务院办公厅关于…部分节假日安排的通知).
DEMO_CALENDAR_FILE = Path(__file__).resolve().parent / "data" / "calendar_cn.csv"
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000

COLUMNS = (
    ImportColumn("date", "日期", "date", required=True),
    ImportColumn("kind", "类型", "kind", required=True),
    ImportColumn("name", "名称", "name", required=True, aliases=("节日", "节假日")),
)
# The spellings of each kind a file may use: the machine value, the Chinese and English labels, 休/班.
KIND_SPELLINGS = {
    CalendarDayKind.HOLIDAY: ("holiday", "法定节假日", "节假日", "假日", "休", "public holiday"),
    CalendarDayKind.WORKDAY: ("workday", "调休上班", "调休", "上班", "班", "make-up workday"),
}


class CalendarImportError(ImportFileError):
    """The calendar file cannot be imported; `message` (translated) says why, naming the row."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _kind(value: str) -> str | None:
    spelling = normalise_header(value)
    for kind, spellings in KIND_SPELLINGS.items():
        if spelling in {normalise_header(text) for text in spellings}:
            return kind
    return None


def parse_calendar(data: bytes, file_format: str) -> list[tuple[datetime.date, str, str]]:
    """The (date, kind, name) rows of a calendar file; raises CalendarImportError on the first problem."""
    try:
        table = read_table(
            data, file_format, COLUMNS, required=("date", "kind", "name"), max_bytes=MAX_BYTES, max_rows=MAX_ROWS
        )
    except ImportFileError as error:
        raise CalendarImportError(error.message) from None
    days: dict[datetime.date, int] = {}
    rows = []
    for number, cells in table.rows:
        raw_date = table.value(cells, "date")
        try:
            day = parse_date(raw_date)
        except ValueError:
            day = None
        if day is None:
            raise CalendarImportError(
                _("Row %(row)s: “%(value)s” is not a date; write it like 2026-10-01.")
                % {"row": number, "value": cell_text(raw_date)}
            )
        kind = _kind(cell_text(table.value(cells, "kind")))
        if kind is None:
            raise CalendarImportError(
                _("Row %(row)s: the kind must be “holiday” (法定节假日) or “workday” (调休上班), not “%(value)s”.")
                % {"row": number, "value": cell_text(table.value(cells, "kind"))}
            )
        name = cell_text(table.value(cells, "name"))
        if not name:
            raise CalendarImportError(_("Row %(row)s: give the holiday's name, e.g. 国庆节.") % {"row": number})
        if len(name) > CalendarDay._meta.get_field("name").max_length:
            raise CalendarImportError(_("Row %(row)s: the name is too long.") % {"row": number})
        if day in days:
            raise CalendarImportError(
                _("Row %(row)s: %(date)s is already given in row %(first)s.")
                % {"row": number, "date": day.isoformat(), "first": days[day]}
            )
        days[day] = number
        rows.append((day, kind, name))
    return rows


def import_calendar(data: bytes, file_format: str) -> ImportResult:
    """Save a calendar file's days (all or none); a date already listed takes the file's kind and name."""
    rows = parse_calendar(data, file_format)
    created = updated = 0
    with transaction.atomic():
        existing = {
            day.date: day for day in CalendarDay.objects.select_for_update().filter(date__in=[r[0] for r in rows])
        }
        for day, kind, name in rows:
            current = existing.get(day)
            if current is None:
                CalendarDay.objects.create(date=day, kind=kind, name=name)
                created += 1
            elif (current.kind, current.name) != (kind, name):
                current.kind, current.name = kind, name
                current.save(update_fields=["kind", "name"])
                updated += 1
    return ImportResult(created=created, updated=updated)


def import_calendar_file(path: str | Path) -> ImportResult:
    """Import a calendar file from disk; its format comes from its name (.csv or .xlsx)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError:
        raise CalendarImportError(_("The file %(path)s cannot be read.") % {"path": path}) from None
    return import_calendar(data, path.suffix.lower().lstrip("."))
