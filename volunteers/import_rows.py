"""The row checks of the volunteer and participant imports: every row against data preloaded in a fixed number
of queries, giving a per-row error `Report` and a `Plan` of what to save (docs/imports.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communities.models import Community
from communities.roles import AnyUser
from core.tabular import (
    ImportColumn,
    Table,
    cell_text,
    day_range_errors,
    join_names,
    name_key,
    parse_date,
    parse_hours,
    parse_phone,
    parse_yes_no,
)
from volunteers.choices import ImportKind
from volunteers.models import ImportJob, PartyBranch, Volunteer
from volunteers.permissions import managed_communities
from volunteers.services import branch_error, hours_error, hours_limit

PROGRESS_EVERY = 500  # rows checked between two progress writes
MAX_STORED_ERRORS = 1000  # errors kept on the job; more are counted, not stored
LOOKUP_CHUNK = 900  # phones per lookup query (SQLite allows 999 parameters)


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


def template_headers(kind: str, language: str | None = None) -> list[str]:
    """The headers of the blank template file for an import kind."""
    return [column.header(language) for column in COLUMNS[kind]]


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


def volunteers_by_phone(phones: Iterable[str]) -> dict[str, Volunteer]:
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


class CommunityLookup:
    """All communities, found by name (or 'street/community') among those the uploader manages."""

    def __init__(self, user: AnyUser) -> None:
        communities = list(Community.objects.select_related("street"))
        self.by_id = {community.pk: community for community in communities}
        self.managed = set(managed_communities(user).values_list("pk", flat=True))
        self.by_name: dict[str, list[Community]] = {}
        self.by_street_and_name: dict[tuple[str, str], Community] = {}
        for community in communities:
            self.by_name.setdefault(name_key(community.name), []).append(community)
            self.by_street_and_name[(name_key(community.street.name), name_key(community.name))] = community

    def find(self, text: str) -> tuple[Community | None, str | None]:
        """The community a cell names, or why there is none the uploader may use."""
        key = name_key(text)
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
    communities = CommunityLookup(user)
    all_branches = list(PartyBranch.objects.all())
    branches = {name_key(branch.name): branch for branch in all_branches}
    branches_by_id = {branch.pk: branch for branch in all_branches}
    phones = [parse_phone(table.value(cells, "phone")) for _row, cells in table.rows]
    existing = volunteers_by_phone(phones)
    seen: dict[str, int] = {}
    default_community = job.community
    for checked, ((row, cells), phone) in enumerate(zip(table.rows, phones, strict=True), start=1):
        if checked % PROGRESS_EVERY == 0 and checked < len(table.rows):
            progress(checked)
        errors_before = report.count
        name = cell_text(table.value(cells, "name"))
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
        community_text = cell_text(table.value(cells, "community"))
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
        branch_text = cell_text(table.value(cells, "branch"))
        if branch_text:
            branch = branches.get(name_key(branch_text))
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
        skills = cell_text(table.value(cells, "skills")) or (volunteer.skills if volunteer is not None else "")
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
    existing = volunteers_by_phone(phones)
    seen: dict[str, int] = {}
    for checked, ((row, cells), phone) in enumerate(zip(table.rows, phones, strict=True), start=1):
        if checked % PROGRESS_EVERY == 0 and checked < len(table.rows):
            progress(checked)
        errors_before = report.count
        name = cell_text(table.value(cells, "name"))
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
        if volunteer is not None and name and name_key(name) != name_key(volunteer.name):
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
