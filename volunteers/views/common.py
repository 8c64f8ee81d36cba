"""What the pages under /volunteers/ share: the list base, phones as the user may see them, export columns."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from communities.mixins import StaffOnlyMixin
from core.exports import Column
from core.tabular import ImportColumn
from core.views import FilteredListView
from volunteers.import_rows import PARTICIPANT_COLUMNS, VOLUNTEER_COLUMNS
from volunteers.permissions import can_manage_any, volunteer_phone_for

PAGE_SIZE = 25


class SectionListView(StaffOnlyMixin, FilteredListView):
    """A list under /volunteers/ (volunteers, branches, activities): its tab, and the buttons for those who manage."""

    section: ClassVar[str]  # the list's URL name in the volunteers namespace, also its tab
    page_size = PAGE_SIZE

    @property
    def list_url_name(self) -> str:
        return f"volunteers:{self.section}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "section": self.section, "can_manage": can_manage_any(self.request.user)}


def import_file_columns(columns: tuple[ImportColumn, ...], values: dict[str, Callable[[Any], Any]]) -> list[Column]:
    """Export columns headed exactly as the import reads them, so an exported file can be edited and imported."""
    return [Column(column.header(), values[column.key]) for column in columns]


def volunteer_columns(user: Any) -> list[Column]:
    """The volunteer export's columns: the import's columns first, then the street and the volunteer's totals."""
    return [
        *import_file_columns(
            VOLUNTEER_COLUMNS,
            {
                "name": attrgetter("name"),
                "phone": lambda volunteer: volunteer_phone_for(user, volunteer),
                "community": attrgetter("community.name"),
                "is_party_member": attrgetter("is_party_member"),
                "branch": lambda volunteer: volunteer.branch.name if volunteer.branch else "",
                "skills": attrgetter("skills"),
                "joined_on": attrgetter("joined_on"),
            },
        ),
        Column(gettext_lazy("Street"), attrgetter("community.street.name")),
        Column(gettext_lazy("Activities"), attrgetter("activities_count")),
        Column(gettext_lazy("Hours"), attrgetter("hours")),
    ]


def participant_columns(user: Any) -> list[Column]:
    """An activity's participants export: the participants import's columns, then the volunteer's community."""
    return [
        *import_file_columns(
            PARTICIPANT_COLUMNS,
            {
                "name": attrgetter("volunteer.name"),
                "phone": lambda part: volunteer_phone_for(user, part.volunteer),
                "hours": attrgetter("hours"),
                "is_party_member": attrgetter("volunteer.is_party_member"),
            },
        ),
        Column(gettext_lazy("Community"), attrgetter("volunteer.community.name")),
    ]
