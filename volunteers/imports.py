"""Import volunteers and activity participants from CSV and XLSX files (issue 7, docs/imports.md).

An upload becomes an `ImportJob`. Running it reads the whole file, checks every row against
data preloaded in a fixed number of queries (no query per row), and only when no row has an
error saves everything in one transaction; otherwise the job keeps a per-row error report and
nothing is saved. Progress (rows checked of rows in the file) is written to the job as it goes
so that the status page can show it while another request or a thread does the work.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from communities.models import Community
from communities.roles import AnyUser
from core.errors import DomainError, Forbidden, InvalidInput
from core.filters import DAY_RANGE
from volunteers.choices import ImportKind, ImportStatus
from volunteers.models import Activity, ImportJob, PartyBranch, Volunteer
from volunteers.permissions import can_manage_activity, can_manage_any, managed_communities
from volunteers.services import add_participants, branch_error, hours_error, hours_limit

logger = logging.getLogger(__name__)

IMPORT_FORMATS = ("csv", "xlsx")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel on a Chinese Windows writes GB18030/GBK
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel (.xls) format
PROGRESS_EVERY = 500  # rows checked between two progress writes
MAX_STORED_ERRORS = 1000  # errors kept on the job; more are counted, not stored
LOOKUP_CHUNK = 900  # phones per lookup query (SQLite allows 999 parameters)
SAVE_BATCH = 500  # rows per bulk insert or update
STALE_AFTER = datetime.timedelta(minutes=10)  # a 20,000-row file takes seconds; longer means the worker died
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


VOLUNTEER_COLUMNS = (
    ImportColumn("name", "姓名", "Name", required=True),
    ImportColumn("phone", "手机号", "Phone", required=True, aliases=("手机号码", "手机", "联系电话", "mobile")),
    ImportColumn("community", "社区", "Community", required=True, aliases=("所在社区",)),
    ImportColumn("is_party_member", "党员", "Party member", aliases=("是否党员",)),
    ImportColumn("branch", "党支部", "Party branch", aliases=("所在党支部", "branch")),
    ImportColumn("skills", "技能", "Skills", aliases=("特长", "技能特长")),
    ImportColumn("joined_on", "加入日期", "Joined on", aliases=("加入时间", "joined")),
)
PARTICIPANT_COLUMNS = (
    ImportColumn("name", "姓名", "Name", required=True),
    ImportColumn("phone", "手机号", "Phone", required=True, aliases=("手机号码", "手机", "联系电话", "mobile")),
    ImportColumn(
        "hours", "服务时长（小时）", "Hours", required=True, aliases=("服务时长", "时长", "时长（小时）", "小时数")
    ),
    ImportColumn("is_party_member", "党员", "Party member", aliases=("是否党员",)),
)
COLUMNS: dict[str, tuple[ImportColumn, ...]] = {
    ImportKind.VOLUNTEERS: VOLUNTEER_COLUMNS,
    ImportKind.PARTICIPANTS: PARTICIPANT_COLUMNS,
}


def join_names(names: Sequence[str]) -> str:
    """Names listed the way the current language lists them (、 in Chinese)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return ("、" if language.lower().startswith("zh") else ", ").join(names)


def template_headers(kind: str, language: str | None = None) -> list[str]:
    """The headers of the blank template file for an import kind."""
    return [column.header(language) for column in COLUMNS[kind]]


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


def read_table(data: bytes, file_format: str, columns: Sequence[ImportColumn], *, required: Iterable[str]) -> Table:
    """The rows of a CSV or XLSX file and its known columns; raises ImportFileError when it cannot be imported."""
    limit = settings.VOLUNTEER_IMPORT_MAX_BYTES
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
    max_rows = settings.VOLUNTEER_IMPORT_MAX_ROWS
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


def _text(value: Any) -> str:
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


def _name_key(value: str) -> str:
    """A name or place as compared: full-width forms folded, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).casefold()


def parse_phone(value: Any) -> str:
    """A phone as stored: spaces gone, a +86 before a mobile dropped (the validator then checks it)."""
    phone = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _text(value)))
    match = CHINA_PREFIX_RE.match(phone)
    return match.group(1) if match else phone


def parse_yes_no(value: Any) -> bool:
    """是/否, yes/no, true/false, 1/0; empty is no. Raises ValueError otherwise."""
    word = normalise_header(_text(value))
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
    text = unicodedata.normalize("NFKC", _text(value))
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None


# --- checking -------------------------------------------------------------------------------------


@dataclass
class Report:
    """The problems found in a file: all counted, the first MAX_STORED_ERRORS kept."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        """Record one problem of a row and column."""
        self.count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})


@dataclass
class Plan:
    """What a valid file would save."""

    new_volunteers: list[Volunteer] = field(default_factory=list)
    changed_volunteers: list[Volunteer] = field(default_factory=list)
    participants: list[tuple[Volunteer, Decimal]] = field(default_factory=list)


Progress = Callable[[int], None]
VOLUNTEER_FIELD_COLUMNS = {
    "name": "name",
    "phone": "phone",
    "skills": "skills",
    "is_party_member": "is_party_member",
    "joined_on": "joined_on",
}
UPDATED_FIELDS = ["name", "community", "is_party_member", "branch", "skills", "joined_on"]
# The same fields by their columns, so that comparing does not load related rows.
COMPARED_FIELDS = ["name", "community_id", "is_party_member", "branch_id", "skills", "joined_on"]


def _volunteers_by_phone(phones: Iterable[str]) -> dict[str, Volunteer]:
    """Registered volunteers with these phones, in one query per LOOKUP_CHUNK phones."""
    phones = sorted(set(filter(None, phones)))
    found: dict[str, Volunteer] = {}
    for start in range(0, len(phones), LOOKUP_CHUNK):
        for volunteer in Volunteer.objects.filter(phone__in=phones[start : start + LOOKUP_CHUNK]):
            found[volunteer.phone] = volunteer
    return found


def _model_errors(volunteer: Volunteer) -> dict[str, list[str]]:
    """The model's own field rules (phone format, lengths): the same validators a form or the admin runs.

    Relations are checked against the preloaded rows instead, which clean_fields would query one by one.
    """
    try:
        volunteer.clean_fields(exclude=["community", "branch", "record_token"])
    except ValidationError as error:
        return {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    return {}


def _report_model_errors(report: Report, table: Table, row: int, volunteer: Volunteer) -> bool:
    problems = _model_errors(volunteer)
    for name, messages in problems.items():
        column = table.header(VOLUNTEER_FIELD_COLUMNS.get(name, "name"))
        for message in messages:
            report.add(row, column, message)
    return bool(problems)


def _required(report: Report, table: Table, row: int, key: str, value: str) -> bool:
    if value:
        return True
    report.add(row, table.header(key), _("This cell must be filled in."))
    return False


def _first_rows_by_phone(report: Report, table: Table, row: int, phone: str, seen: dict[str, int]) -> bool:
    """Record the row of a phone; a phone seen before is an error on the later row."""
    if phone in seen:
        report.add(row, table.header("phone"), _("This phone also appears in row %(row)s.") % {"row": seen[phone]})
        return False
    seen[phone] = row
    return True


class _Communities:
    """All communities, found by name (or 'street/community') among those the uploader manages."""

    def __init__(self, user: AnyUser) -> None:
        communities = list(Community.objects.select_related("street"))
        self.by_id = {community.pk: community for community in communities}
        self.managed = set(managed_communities(user).values_list("pk", flat=True))
        self.by_name: dict[str, list[Community]] = {}
        self.by_street_and_name: dict[tuple[str, str], Community] = {}
        for community in communities:
            self.by_name.setdefault(_name_key(community.name), []).append(community)
            self.by_street_and_name[(_name_key(community.street.name), _name_key(community.name))] = community

    def find(self, text: str) -> tuple[Community | None, str | None]:
        """The community a cell names, or why there is none the uploader may use."""
        key = _name_key(text)
        if "/" in key:
            street, _slash, name = key.partition("/")
            found = self.by_street_and_name.get((street, name))
            candidates = [found] if found else []
        else:
            candidates = self.by_name.get(key, [])
        if not candidates:
            return None, _("There is no community named %(name)s.") % {"name": text}
        mine = [community for community in candidates if community.pk in self.managed]
        if len(mine) == 1:
            return mine[0], None
        if not mine:
            streets = join_names(sorted({community.street.name for community in candidates}))
            return None, self.not_yours(streets)
        example = f"{mine[0].street.name}/{mine[0].name}"
        return None, _(
            "Communities named %(name)s exist in several streets; write the street too, e.g. %(example)s."
        ) % {"name": text, "example": example}

    @staticmethod
    def not_yours(street: Any) -> str:
        """The refusal of volunteers.services for a community of another street (same wording)."""
        return _("Only the staff of %(street)s record volunteers and activities of this community.") % {
            "street": street
        }


def check_volunteers(job: ImportJob, table: Table, progress: Progress) -> tuple[Report, Plan]:
    """Check every row of a volunteers file; answers the problems and, when there are none, what to save."""
    user = job.created_by
    report, plan = Report(), Plan()
    communities = _Communities(user)
    all_branches = list(PartyBranch.objects.all())
    branches = {_name_key(branch.name): branch for branch in all_branches}
    branches_by_id = {branch.pk: branch for branch in all_branches}
    phones = [parse_phone(table.value(cells, "phone")) for _row, cells in table.rows]
    existing = _volunteers_by_phone(phones)
    seen: dict[str, int] = {}
    default_community = job.community
    for checked, ((row, cells), phone) in enumerate(zip(table.rows, phones, strict=True), start=1):
        if checked % PROGRESS_EVERY == 0 and checked < len(table.rows):
            progress(checked)
        errors_before = report.count
        name = _text(table.value(cells, "name"))
        _required(report, table, row, "name", name)
        if _required(report, table, row, "phone", phone):
            _first_rows_by_phone(report, table, row, phone, seen)
        volunteer = existing.get(phone)
        if volunteer is not None and volunteer.community_id not in communities.managed:
            current = communities.by_id[volunteer.community_id]
            report.add(
                row,
                table.header("phone"),
                _(
                    "This phone belongs to a volunteer of %(community)s, %(street)s; "
                    "only that street's staff may change them."
                )
                % {"community": current.name, "street": current.street.name},
            )
            continue
        community_text = _text(table.value(cells, "community"))
        community = default_community
        if community_text:
            community, problem = communities.find(community_text)
            if problem:
                report.add(row, table.header("community"), problem)
        elif community is None and volunteer is not None:
            community = communities.by_id[volunteer.community_id]  # an update may leave the community out
        elif community is None:
            report.add(row, table.header("community"), _("This cell must be filled in."))
        is_party_member = volunteer.is_party_member if volunteer is not None else False
        if table.has("is_party_member"):
            try:
                is_party_member = parse_yes_no(table.value(cells, "is_party_member"))
            except ValueError:
                report.add(row, table.header("is_party_member"), _("Write 是 or 否 (yes or no)."))
        branch = branches_by_id.get(volunteer.branch_id) if volunteer is not None else None
        branch_text = _text(table.value(cells, "branch"))
        if branch_text:
            branch = branches.get(_name_key(branch_text))
            if branch is None:
                report.add(
                    row, table.header("branch"), _("There is no party branch named %(name)s.") % {"name": branch_text}
                )
        problem = branch_error(is_party_member, branch)
        if problem:
            report.add(row, table.header("branch" if table.has("branch") else "is_party_member"), problem)
        joined_on = volunteer.joined_on if volunteer is not None else None
        try:
            joined_on = parse_date(table.value(cells, "joined_on")) or joined_on
        except ValueError:
            report.add(row, table.header("joined_on"), _("Write the date as 2021-08-24 or 2021/8/24."))
        else:
            # The pages' and the API's range, so an import cannot store a day they refuse.
            for problem in day_range_errors(joined_on):
                report.add(row, table.header("joined_on"), problem)
        skills = _text(table.value(cells, "skills")) or (volunteer.skills if volunteer is not None else "")
        if report.count > errors_before:
            continue
        before = [getattr(volunteer, name) for name in COMPARED_FIELDS] if volunteer else []
        target = volunteer or Volunteer(phone=phone)
        target.name, target.community = name, community
        target.is_party_member, target.skills, target.joined_on = is_party_member, skills, joined_on
        target.branch = branch
        if _report_model_errors(report, table, row, target):
            continue
        if volunteer is None:
            plan.new_volunteers.append(target)
        elif [getattr(target, name) for name in COMPARED_FIELDS] != before:
            plan.changed_volunteers.append(target)
    return report, plan


def check_participants(job: ImportJob, table: Table, progress: Progress) -> tuple[Report, Plan]:
    """Check every row of a participants file for the job's activity; answers the problems and the plan."""
    activity = job.activity
    report, plan = Report(), Plan()
    limit = hours_limit(activity.starts_at, activity.ends_at)
    phones = [parse_phone(table.value(cells, "phone")) for _row, cells in table.rows]
    existing = _volunteers_by_phone(phones)
    seen: dict[str, int] = {}
    for checked, ((row, cells), phone) in enumerate(zip(table.rows, phones, strict=True), start=1):
        if checked % PROGRESS_EVERY == 0 and checked < len(table.rows):
            progress(checked)
        errors_before = report.count
        name = _text(table.value(cells, "name"))
        _required(report, table, row, "name", name)
        if _required(report, table, row, "phone", phone):
            _first_rows_by_phone(report, table, row, phone, seen)
        hours = None
        try:
            hours = parse_hours(table.value(cells, "hours"))
        except ValueError:
            report.add(row, table.header("hours"), _("Write the hours as a number, e.g. 2 or 2.5."))
        else:
            problem = hours_error(hours, limit)
            if problem:
                report.add(row, table.header("hours"), problem)
        is_party_member = False
        if table.has("is_party_member"):
            try:
                is_party_member = parse_yes_no(table.value(cells, "is_party_member"))
            except ValueError:
                report.add(row, table.header("is_party_member"), _("Write 是 or 否 (yes or no)."))
        volunteer = existing.get(phone)
        if volunteer is not None and name and _name_key(name) != _name_key(volunteer.name):
            report.add(
                row,
                table.header("name"),
                _("This phone is registered to %(registered)s, not %(name)s; check the phone number and the name.")
                % {"registered": volunteer.name, "name": name},
            )
        if report.count > errors_before:
            continue
        if volunteer is None:
            # Someone new joined the clean-up: register them in the activity's community.
            volunteer = Volunteer(name=name, phone=phone, community=activity.community, is_party_member=is_party_member)
            if _report_model_errors(report, table, row, volunteer):
                continue
            plan.new_volunteers.append(volunteer)
        plan.participants.append((volunteer, hours))
    return report, plan


# --- running --------------------------------------------------------------------------------------


def _update(job: ImportJob, **fields: Any) -> None:
    """Write fields of the job at once (a queryset update, so the status page sees them) and on the object."""
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _write_progress(job: ImportJob, checked: int) -> None:
    _update(job, checked_rows=checked)


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    _update(job, status=status, finished_at=timezone.now(), **fields)


def _read(job: ImportJob) -> bytes:
    limit = settings.VOLUNTEER_IMPORT_MAX_BYTES
    try:
        with job.file.open("rb") as file:
            data = file.read(limit + 1)  # no need to read past the limit to refuse the file
    except (OSError, ValueError):
        raise ImportFileError(_("The uploaded file is no longer available; upload it again.")) from None
    return data


def _check_allowed(job: ImportJob) -> None:
    user = job.created_by
    if job.kind == ImportKind.PARTICIPANTS:
        if job.activity is None or not can_manage_activity(user, job.activity):
            raise ImportFileError(_("Only the staff of the activity's street may import its participants."))
    elif not can_manage_any(user):
        raise ImportFileError(_("Your role cannot import volunteers."))
    elif job.community is not None and job.community_id not in managed_communities(user).values_list("pk", flat=True):
        raise ImportFileError(_Communities.not_yours(job.community.street))


def _save(job: ImportJob, plan: Plan) -> tuple[int, int, str]:
    """Save a checked plan in one transaction; answers (created, updated, a note for the job)."""
    with transaction.atomic():
        Volunteer.objects.bulk_create(plan.new_volunteers, batch_size=SAVE_BATCH)
        if job.kind == ImportKind.VOLUNTEERS:
            Volunteer.objects.bulk_update(plan.changed_volunteers, UPDATED_FIELDS, batch_size=SAVE_BATCH)
            return len(plan.new_volunteers), len(plan.changed_volunteers), ""
        if any(volunteer.pk is None for volunteer in plan.new_volunteers):
            # Databases that do not return ids from a bulk insert: find the new rows by phone.
            ids = _volunteers_by_phone(volunteer.phone for volunteer in plan.new_volunteers)
            for volunteer in plan.new_volunteers:
                volunteer.pk = ids[volunteer.phone].pk
        added, updated = add_participants(job.created_by, job.activity, plan.participants)
    note = ""
    if plan.new_volunteers:
        note = _("%(count)s new volunteers were registered in %(community)s.") % {
            "count": len(plan.new_volunteers),
            "community": job.activity.community.name,
        }
    return added, updated, note


def run_import(job: ImportJob) -> ImportJob:
    """Check a queued import and, when every row is valid, save it all; answers the job as it ended.

    A job another worker has already taken is left alone. Messages are in the uploader's language.
    """
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(
        status=ImportStatus.CHECKING, started_at=timezone.now(), checked_rows=0, total_rows=0, errors=[], message=""
    )
    job.refresh_from_db()
    if not claimed:
        return job
    with translation.override(job.language):
        try:
            _run(job)
        except ImportFileError as error:
            _finish(job, ImportStatus.FAILED, message=error.message)
        except DomainError as error:
            _finish(job, ImportStatus.FAILED, message=_("Nothing was saved: %(reason)s") % {"reason": error.message})
        except DatabaseError:
            logger.exception("Saving import %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "Nothing was saved: someone changed the same volunteers at the same time. Upload the file again."
                ),
            )
        except Exception:
            logger.exception("Import %s failed", job.pk)
            _finish(
                job,
                ImportStatus.FAILED,
                message=_(
                    "The import stopped because of an unexpected error and nothing was saved. "
                    "Try again, or send the file to the administrator."
                ),
            )
    return job


def _run(job: ImportJob) -> None:
    _check_allowed(job)
    columns = COLUMNS[job.kind]
    required = {column.key for column in columns if column.required}
    if job.kind == ImportKind.VOLUNTEERS and job.community_id is not None:
        required.discard("community")  # the upload page chose the community
    table = read_table(_read(job), job.file_format, columns, required=required)
    _update(job, total_rows=len(table.rows))
    check = check_volunteers if job.kind == ImportKind.VOLUNTEERS else check_participants
    report, plan = check(job, table, lambda checked: _write_progress(job, checked))
    if report.count:
        message = _("%(count)s problems were found; nothing was saved. Correct the file and upload it again.") % {
            "count": report.count
        }
        if report.count > len(report.errors):
            message += " " + _("Only the first %(shown)s are listed.") % {"shown": len(report.errors)}
        _finish(job, ImportStatus.REJECTED, checked_rows=len(table.rows), errors=report.errors, message=message)
        return
    _update(job, status=ImportStatus.SAVING, checked_rows=len(table.rows))
    created, updated, note = _save(job, plan)
    _finish(job, ImportStatus.DONE, created_count=created, updated_count=updated, message=note)


def _run_in_thread(job_id: int) -> None:
    try:
        job = ImportJob.objects.filter(pk=job_id).select_related("activity__community", "community__street").first()
        if job is not None:
            run_import(job)
    except Exception:
        logger.exception("Import %s could not run", job_id)
    finally:
        # A thread's connection is not closed by Django's request cycle.
        connection.close()


def start_import(job: ImportJob) -> None:
    """Run the import now (setting VOLUNTEER_IMPORTS_INLINE) or in a background thread once the job is saved."""
    if settings.VOLUNTEER_IMPORTS_INLINE:
        run_import(job)
        return
    transaction.on_commit(
        lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), name=f"import-{job.pk}", daemon=True).start()
    )


def create_import(
    user: AnyUser,
    *,
    kind: str,
    upload: UploadedFile,
    activity: Activity | None = None,
    community: Community | None = None,
) -> ImportJob:
    """Keep an uploaded file as a queued import job and start it; refuses users who may not import it."""
    if kind == ImportKind.PARTICIPANTS:
        if activity is None or not can_manage_activity(user, activity):
            raise Forbidden(_("Only the staff of the activity's street may import its participants."))
    elif not can_manage_any(user):
        raise Forbidden(_("Your role cannot import volunteers."))
    if community is not None and not managed_communities(user).filter(pk=community.pk).exists():
        raise InvalidInput.for_fields({"community": [_Communities.not_yours(community.street)]})
    name = PurePath(upload.name or "").name or "upload"
    job = ImportJob(
        kind=kind,
        file_name=name[:200],
        file_format=PurePath(name).suffix.lower().lstrip(".")[:10],
        activity=activity if kind == ImportKind.PARTICIPANTS else None,
        community=community if kind == ImportKind.VOLUNTEERS else None,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        created_by=user,
    )
    job.file.save(name, upload, save=False)  # the storage shortens a long name to fit the field
    job.save()
    start_import(job)
    return job


def is_stale(job: ImportJob, now: datetime.datetime | None = None) -> bool:
    """Whether a job says it is running but has not finished long after it started (its worker died)."""
    if not job.is_running:
        return False
    since = job.started_at or job.created_at
    return (now or timezone.now()) - since > STALE_AFTER


def requeue_stale(now: datetime.datetime | None = None) -> int:
    """Put jobs whose worker died back in the queue (their save was one transaction: nothing of it stayed)."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    return ImportJob.objects.filter(
        status__in=[ImportStatus.CHECKING, ImportStatus.SAVING], started_at__lt=cutoff
    ).update(status=ImportStatus.QUEUED, checked_rows=0, message="")


def run_queued() -> list[ImportJob]:
    """Run every queued job, oldest first (for a server restarted mid-import); answers them as they ended."""
    jobs = ImportJob.objects.filter(status=ImportStatus.QUEUED).select_related("activity__community", "community")
    return [run_import(job) for job in jobs.order_by("created_at", "pk")]
