"""The case list's CSV and XLSX export: the filtered list, one row per case, Chinese headers.

The caller (the list page) passes the cases it shows — visible to the user (queries.visible_to)
and filtered by the FilterSet — and this module only adds what the columns read, in a bounded
number of queries whatever the number of cases:

    cases = CaseFilterSet(request.GET, queryset=visible_to(request.user)).qs
    return case_export_response(request.user, cases, "xlsx")
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import attrgetter

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from cases.models import Assignment, Case
from cases.permissions import lead_assignment, reporter_phone_for
from cases.queries import with_overdue
from communities.roles import AnyUser
from core.exports import Column, export_response

EXPORT_CHUNK_SIZE = 500  # cases per query; their assignments come in one more query per chunk
EXPORT_FILENAME = _("Case list")  # 案件列表 → 案件列表-20211126.xlsx


def _name_of(relation: str) -> Callable[[Case], str | None]:
    """The name of a related object (street, community …), or None where the case has none."""

    def value(case: Case) -> str | None:
        related = getattr(case, relation)
        return None if related is None else related.name

    return value


def _label(field: str) -> Callable[[Case], str]:
    """A choice field's label (get_<field>_display), in the language of the export."""
    return lambda case: getattr(case, f"get_{field}_display")()


def lead_department_name(case: Case) -> str | None:
    """The department leading the current round, or the one that led last (reads the prefetch)."""
    lead = lead_assignment(case)
    return None if lead is None else lead.department.name


def case_columns(user: AnyUser) -> list[Column]:
    """The columns of the case export for this user (the phone column depends on who asks)."""
    return [
        Column(_("Case number"), attrgetter("number")),  # 案件编号
        Column(_("Title"), attrgetter("title")),  # 标题
        Column(_("State"), _label("state")),  # 状态
        Column(_("Campaign"), attrgetter("campaign.name")),  # 专项整治
        Column(_("Category"), attrgetter("category.name")),  # 问题类别
        Column(_("Street"), attrgetter("street.name")),  # 街道
        Column(_("Community"), _name_of("community")),  # 社区 (none for a road case between communities)
        Column(_("Compound"), _name_of("compound")),  # 小区
        Column(_("Road"), _name_of("road")),  # 道路
        Column(_("Address"), attrgetter("address")),  # 地址
        Column(_("Source"), _label("source")),  # 来源
        Column(_("Priority"), _label("priority")),  # 紧急程度
        Column(_("Reporter's name"), attrgetter("reporter_name")),  # 反映人姓名
        Column(_("Reporter's phone"), partial(reporter_phone_for, user), width=15),  # 反映人电话
        Column(_("Lead department"), lead_department_name),  # 主办部门
        Column(_("Created at"), attrgetter("created_at")),  # 登记时间
        Column(_("Report-in due"), attrgetter("report_in_due_at")),  # 报到时限
        Column(_("Resolve due"), attrgetter("resolve_due_at")),  # 处置时限
        Column(_("Overdue"), attrgetter("overdue")),  # 是否超期 (是/否)
        Column(_("Resolved at"), attrgetter("resolved_at")),  # 处置时间
        Column(_("Closed at"), attrgetter("closed_at")),  # 结案时间
        Column(_("Satisfaction"), _label("satisfaction")),  # 回访满意度
        Column(_("Reworks"), attrgetter("rework_count")),  # 返工次数
    ]


def export_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases with what the columns read: related names, assignments with departments, `overdue`.

    Neither narrows nor reorders: the caller's filters, visibility and ordering stand.
    The one prefetch of assignments serves both the lead department and reporter_phone_for.
    """
    if "overdue" not in cases.query.annotations:
        cases = with_overdue(cases)
    assignments = Assignment.objects.select_related("department").order_by("assigned_at", "id")
    return (
        cases.select_related("campaign", "category", "street", "community", "compound", "road")
        .defer("description")  # long free text no column shows
        .prefetch_related(None)  # the caller's prefetches are not what the columns read
        .prefetch_related(Prefetch("assignments", queryset=assignments))
    )


def case_export_response(
    user: AnyUser, cases: QuerySet[Case], file_format: str
) -> HttpResponse | StreamingHttpResponse:
    """The cases (already visible to the user and filtered) as a CSV or XLSX attachment, 案件列表-<date>.<format>.

    Raises ValueError for a format not in core.exports.EXPORT_FORMATS (the view checks first).
    """
    return export_response(
        rows=export_cases(cases).iterator(chunk_size=EXPORT_CHUNK_SIZE),
        columns=case_columns(user),
        filename=EXPORT_FILENAME,
        file_format=file_format,
    )
