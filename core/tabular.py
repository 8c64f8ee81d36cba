"""Reading tabular files (CSV in UTF-8 or GB18030, XLSX) into rows under known columns, and parsing their cells.

Knows no app: a caller names its columns (`ImportColumn`) and gets a `Table`; a file that cannot be
read as a whole raises `ImportFileError` with a translated message.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from core.filters import DAY_RANGE

IMPORT_FORMATS = ("csv", "xlsx")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel on a Chinese Windows writes GB18030/GBK
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel (.xls) format
TRUE_WORDS = frozenset({"是", "yes", "y", "true", "1", "党员", "√", "✓"})
FALSE_WORDS = frozenset({"否", "no", "n", "false", "0", "非党员", "群众", ""})
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
CHINA_PREFIX_RE = re.compile(r"^(?:\+?86)(1\d{10})$")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (format, size, columns); `message` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- columns --------------------------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    """A header as compared: full-width forms folded (（）→()), spaces removed, case ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import file: its key, its fixed Chinese and English headers and other accepted spellings.

    The headers are the file format staff rely on (templates, old spreadsheets), so they are
    fixed spellings rather than catalogue translations, which may change.
    """

    key: str
    chinese: str
    english: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    def header(self, language: str | None = None) -> str:
        """The header written in templates and reports: Chinese for a Chinese page, English otherwise."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return self.chinese if language.lower().startswith("zh") else self.english

    def label(self) -> str:
        """How a message names the column: its Chinese header, with the English one first on an English page."""
        chinese = self.header()
        return chinese if chinese == self.chinese else f"{self.english} ({self.chinese})"

    def spellings(self) -> set[str]:
        """Every normalised header that names this column."""
        return {normalise_header(text) for text in (self.chinese, self.english, *self.aliases)}


def join_names(names: Sequence[str]) -> str:
    """Names listed the way the current language lists them (、 in Chinese)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return ("、" if language.lower().startswith("zh") else ", ").join(names)


# --- reading files --------------------------------------------------------------------------------


@dataclass
class Table:
    """The data rows of a file with the columns found in its header row."""

    columns: tuple[ImportColumn, ...]
    positions: dict[str, int]  # column key → index of the cell in a row
    headers: dict[str, str]  # column key → header as written in the file
    rows: list[tuple[int, list[Any]]]  # (spreadsheet row number, cells); the header is row 1

    def has(self, key: str) -> bool:
        """Whether the file has this column."""
        return key in self.positions

    def value(self, cells: list[Any], key: str) -> Any:
        """A row's cell for a column (None when the file lacks the column or the row is short)."""
        position = self.positions.get(key)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def header(self, key: str) -> str:
        """How the report names a column: as the file wrote it, else in the report's language."""
        if key in self.headers:
            return self.headers[key]
        return next(column.header() for column in self.columns if column.key == key)


def _is_empty(cells: Sequence[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise ImportFileError(_("The file is not readable text; save it as CSV (UTF-8) or as an .xlsx workbook."))
    if "\x00" in text:
        raise ImportFileError(
            _("The file is not a CSV text file; save it from the spreadsheet as CSV or as an .xlsx workbook.")
        )
    first_line = text.lstrip().split("\n", 1)[0]
    # Excel writes ";" or tabs in some locales: take the separator the header row uses most.
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise ImportFileError(
            _("The CSV file is malformed (e.g. an unclosed quote); save it again from the spreadsheet.")
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    broken = _("The file is not a valid .xlsx workbook; open it in Excel or WPS and save it as .xlsx again.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(broken)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # An uploaded file can break openpyxl in many ways (zip, XML, missing parts): all mean "not a workbook".
    except Exception:
        raise ImportFileError(broken) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(broken)
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; forget it so that every row is read.
        sheet.reset_dimensions()
        try:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
        except ImportFileError:
            raise
        except Exception:
            raise ImportFileError(broken) from None
    finally:
        workbook.close()


def read_table(
    data: bytes,
    file_format: str,
    columns: Sequence[ImportColumn],
    *,
    required: Iterable[str],
    max_bytes: int,
    max_rows: int,
) -> Table:
    """The rows of a CSV or XLSX file and its known columns; raises ImportFileError when it cannot be imported."""
    limit = max_bytes
    if len(data) > limit:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB; split it into smaller files.") % {"limit": limit // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if file_format == "xls" or data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _(
                "This is an old Excel .xls file. In Excel or WPS choose Save As, Excel Workbook (.xlsx), "
                "and upload that."
            )
        )
    if file_format not in IMPORT_FORMATS:
        raise ImportFileError(_("Only .csv and .xlsx files can be imported; download a template to start from."))
    raw_rows = _xlsx_rows(data) if file_format == "xlsx" else _csv_rows(data)
    header_cells: list[Any] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(raw_rows, start=1):
        if _is_empty(cells):
            continue
        if header_cells is None:
            header_cells = cells
            continue
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise ImportFileError(
                _("The file has more than %(limit)s rows; split it into files of at most %(limit)s rows.")
                % {"limit": max_rows}
            )
    if header_cells is None:
        raise ImportFileError(_("The file is empty."))
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header_cells):
        spelling = normalise_header(cell)
        for column in columns:
            # The first column with a header wins; unknown columns are ignored.
            if column.key not in positions and spelling in column.spellings():
                positions[column.key] = index
                headers[column.key] = str(cell).strip()
    missing = [column.label() for column in columns if column.key in set(required) and column.key not in positions]
    if missing:
        raise ImportFileError(
            _("The file has no column %(columns)s. Download the template to see the columns it needs.")
            % {"columns": join_names(missing)}
        )
    if not rows:
        raise ImportFileError(_("The file has only a header row: there are no rows to import."))
    return Table(columns=tuple(columns), positions=positions, headers=headers, rows=rows)


# --- cell values ----------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: Excel numbers without '.0', dates as ISO dates, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def name_key(value: str) -> str:
    """A name or place as compared: full-width forms folded, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()


def parse_phone(value: Any) -> str:
    """A phone as stored: spaces gone, a +86 before a mobile dropped (the validator then checks it)."""
    phone = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell_text(value)))
    match = CHINA_PREFIX_RE.match(phone)
    return match.group(1) if match else phone


def parse_yes_no(value: Any) -> bool:
    """是/否, yes/no, true/false, 1/0; empty is no. Raises ValueError otherwise."""
    word = normalise_header(cell_text(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(value)


def day_range_errors(day: datetime.date | None) -> list[str]:
    """Why a day is outside the range every date field of the app accepts (none when inside or empty)."""
    problems = []
    for validator in DAY_RANGE if day is not None else []:
        try:
            validator(day)
        except ValidationError as error:
            problems.extend(error.messages)
    return problems


def parse_date(value: Any) -> datetime.date | None:
    """A date from an Excel date, an Excel day number, or text like 2021-08-24, 2021/8/24, 2021年8月24日."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # Excel's day numbers run from 1900-01-01 to 9999-12-31
            return from_excel(value).date()
        raise ValueError(value)
    match = DATE_RE.match(unicodedata.normalize("NFKC", str(value)).strip())
    if not match:
        raise ValueError(value)
    year, month, day = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


def parse_hours(value: Any) -> Decimal | None:
    """Hours as a decimal (None when the cell is empty). Raises ValueError when it is not a number."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
