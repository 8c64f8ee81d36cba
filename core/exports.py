"""CSV and XLSX exports of any list (DESIGN.md §7: every list exports CSV and XLSX).

A list describes its export as columns (a translated header and a function of the row) and
hands its rows to `export_response`, which answers with a dated attachment:

    columns = [Column(_("Name"), attrgetter("name")), Column(_("Created at"), attrgetter("created_at"))]
    return export_response(rows=queryset.iterator(chunk_size=500), columns=columns,
                           filename=_("Volunteers"), file_format="xlsx")

- Headers and value labels are translated in the language active when the response is made
  (Chinese by default), times shown in the current time zone (Asia/Shanghai).
- CSV is UTF-8 with a byte order mark, so that Excel on a Chinese Windows reads it, and is
  streamed: rows are read and written a chunk at a time, never all in memory.
- XLSX comes from openpyxl's write-only workbook (rows go to a temporary file as they come):
  a bold, frozen header row; widths from the header and the first rows; datetimes and dates as
  real Excel values in local time; numbers as numbers; booleans as 是/否.
- Text that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
  return) gets a leading apostrophe (OWASP, "CSV injection"); numbers are left alone.
- The file name carries the local date, e.g. 案件列表-20211126.xlsx, in the
  Content-Disposition header both as an ASCII fallback and as RFC 5987 UTF-8.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

EXPORT_FORMATS = ("csv", "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CSV_CHUNK_ROWS = 200  # rows formatted per chunk of the streamed CSV
WIDTH_SAMPLE_ROWS = 100  # rows the XLSX column widths are measured on (write-only: widths come first)
MIN_WIDTH, MAX_WIDTH = 6, 60  # XLSX column widths, in characters
XLSX_MAX_TEXT = 32_767  # Excel's limit for one cell
SPOOL_BYTES = 2 * 1024 * 1024  # an XLSX up to this size stays in memory, a larger one goes to disk

DATETIME_TEXT, DATE_TEXT, TIME_TEXT = "%Y-%m-%d %H:%M", "%Y-%m-%d", "%H:%M"
EXCEL_FORMATS = (
    (datetime.datetime, "yyyy-mm-dd hh:mm"),
    (datetime.date, "yyyy-mm-dd"),
    (datetime.time, "hh:mm"),
)

# OWASP CSV injection: what a spreadsheet may take for the start of a formula (the signs also after spaces).
FORMULA_SIGNS = ("=", "+", "-", "@")
FORMULA_STARTS = (*FORMULA_SIGNS, "\t", "\r", "\n")
NUMBER_TYPES = (int, float, Decimal)


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (a lazily translated label) and how to get its value from a row.

    The value may be text, a number, a bool, a date or datetime, None, or a lazy label (a choice's).
    `width` (characters) overrides the XLSX width measured from the header and the first rows.
    """

    header: str | Promise
    value: Callable[[Any], Any]
    width: int | None = None


def export_response(
    *, rows: Iterable[Any], columns: Sequence[Column], filename: str | Promise, file_format: str
) -> HttpResponse | StreamingHttpResponse:
    """The rows as a CSV or XLSX attachment named `<filename>-<local date>.<format>`.

    `filename` is the name without date or extension (e.g. _("Case list")). Rows are read once,
    in order; for a queryset pass `.iterator(chunk_size=...)` so that no list of rows is kept.
    A CSV is streamed, so `rows` is read after the view has returned (in the language and time
    zone active now). Raises ValueError for a format not in EXPORT_FORMATS.
    """
    if file_format not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}; expected one of {', '.join(EXPORT_FORMATS)}.")
    context = _Context(language=translation.get_language(), tz=timezone.get_current_timezone())
    with context.active():
        headers = [str(column.header) for column in columns]
        stem = _clean_stem(str(filename))
    name = f"{stem}-{timezone.localdate():%Y%m%d}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(_csv_stream(rows, columns, headers, context), content_type=CSV_CONTENT_TYPE)
    else:
        with context.active():
            file = _xlsx_file(rows, columns, headers, sheet_title=stem, context=context)
        response = FileResponse(file, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(name)
    # Exports hold personal data (residents' names, phones): no shared or stored copies.
    patch_cache_control(response, private=True, no_store=True)
    return response


def attachment_disposition(filename: str) -> str:
    """A Content-Disposition header: an ASCII `filename` for old clients and RFC 5987 `filename*` in UTF-8."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    fallback = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9 ._-]+", "", fallback).strip(" ._-")
    # A name that was all Chinese keeps its date: 案件列表-20211126 → export-20211126.
    if not re.search(r"[A-Za-z]", fallback):
        fallback = f"export-{fallback}" if fallback else "export"
    fallback = f"{fallback}.{extension}" if extension else fallback
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def neutralise_formula(text: str) -> str:
    """Text a spreadsheet would evaluate (=, +, -, @, tab, CR, LF first, even after spaces) gets a leading '."""
    if text.startswith(FORMULA_STARTS) or text.lstrip(" ").startswith(FORMULA_SIGNS):
        return "'" + text
    return text


@dataclass(frozen=True)
class _Context:
    """The language and time zone of the request, kept for the rows read later while a CSV streams."""

    language: str | None
    tz: datetime.tzinfo

    @contextmanager
    def active(self) -> Iterator[None]:
        with translation.override(self.language), timezone.override(self.tz):
            yield


def _clean_stem(stem: str) -> str:
    """A file name stem without path separators, characters Windows refuses, or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "", stem).strip(" .") or "export"


def _boolean_label(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _local_naive(value: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """An aware time as the wall-clock time of the time zone (Excel has no time zones); naive ones as they are."""
    if timezone.is_aware(value):
        value = timezone.localtime(value, tz)
    return value.replace(tzinfo=None, microsecond=0)


def _text(value: Any) -> str:
    return neutralise_formula(str(value))


# CSV ---------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns the line, so that csv.writer formats without a buffer."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, tz: datetime.tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _boolean_label(value)
    if isinstance(value, datetime.datetime):
        return _local_naive(value, tz).strftime(DATETIME_TEXT)
    if isinstance(value, datetime.date):
        return value.strftime(DATE_TEXT)
    if isinstance(value, datetime.time):
        return value.strftime(TIME_TEXT)
    if isinstance(value, NUMBER_TYPES):
        return str(value)
    return _text(value)


def _csv_stream(
    rows: Iterable[Any], columns: Sequence[Column], headers: list[str], context: _Context
) -> Iterator[bytes]:
    """The BOM and header line, then the rows a chunk at a time, each chunk formatted in the request's context."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([_text(header) for header in headers]).encode("utf-8")
    rows = iter(rows)
    while True:
        with context.active():
            lines = [
                writer.writerow([_csv_cell(column.value(row), context.tz) for column in columns])
                for row in islice(rows, CSV_CHUNK_ROWS)
            ]
        if not lines:
            return
        yield "".join(lines).encode("utf-8")


# XLSX --------------------------------------------------------------------------------------------


def _xlsx_value(value: Any, tz: datetime.tzinfo) -> Any:
    """What openpyxl should write: numbers and times as they are (times local and naive), the rest as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _boolean_label(value)
    if isinstance(value, datetime.datetime):
        return _local_naive(value, tz)
    if isinstance(value, datetime.date | datetime.time | int | float | Decimal):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters make an invalid file
    return neutralise_formula(text)[:XLSX_MAX_TEXT]


def _display_width(value: Any) -> int:
    """Characters a value takes on screen: Chinese characters count twice."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len("2021-08-24 09:30")
    if isinstance(value, datetime.date):
        return len("2021-08-24")
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in str(value))


def _excel_cell(sheet, value: Any) -> Any:
    """Dates and times need a cell with a number format; other values are written as they are."""
    for kind, number_format in EXCEL_FORMATS:  # datetime before date: a datetime is a date too
        if isinstance(value, kind):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            return cell
    return value


def _sheet_title(stem: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "", stem)[:31] or "Sheet1"


def _xlsx_file(
    rows: Iterable[Any], columns: Sequence[Column], headers: list[str], *, sheet_title: str, context: _Context
) -> tempfile.SpooledTemporaryFile:
    """Write the workbook to a temporary file (memory-bounded) and return it rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    rows = iter(rows)
    # Widths must be set before the first row is written: measure the header and the first rows.
    sample = [
        [_xlsx_value(column.value(row), context.tz) for column in columns] for row in islice(rows, WIDTH_SAMPLE_ROWS)
    ]
    for index, (column, header) in enumerate(zip(columns, headers, strict=True), start=1):
        width = column.width or max([_display_width(header), *(_display_width(values[index - 1]) for values in sample)])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(header, context.tz))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for values in sample:
        sheet.append([_excel_cell(sheet, value) for value in values])
    for row in rows:
        sheet.append([_excel_cell(sheet, _xlsx_value(column.value(row), context.tz)) for column in columns])
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 — the FileResponse closes it
    try:
        workbook.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file
