"""Who may watch the dashboards, and which part of the district each user's dashboards show.

Leaders and administrators see the whole district. Street staff see their street, officers the
cases their department had a part in, so that a street office or a department can check its own
按期结案率 before the bulletin is published (this widens DESIGN.md §4, where the dashboards were
the leaders' alone). Every figure opens its cases, so a scope is never wider than the cases the
user may open: road chiefs, who see only their roads' cases, and users without a role see no
dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from communities.choices import Role
from communities.models import Department, Street
from communities.roles import AnyUser, department_id_of, role_of, sees_everything, street_id_of


@dataclass(frozen=True)
class DashboardScope:
    """The part of the district a user's dashboards show: all of it, one street, or one department's cases."""

    street_id: int | None = None
    department_id: int | None = None

    @property
    def is_district(self) -> bool:
        """Whether nothing is forced: the whole district (leaders and administrators)."""
        return self.street_id is None and self.department_id is None

    def place(self) -> Street | Department | None:
        """The street or department the figures are limited to (one query), for the page's note."""
        if self.street_id is not None:
            return Street.objects.get(pk=self.street_id)
        if self.department_id is not None:
            return Department.objects.get(pk=self.department_id)
        return None


# Leaders' and administrators' scope: nothing forced.
DISTRICT = DashboardScope()


def dashboard_scope(user: AnyUser) -> DashboardScope | None:
    """The user's dashboard scope; None for a user who may not watch the dashboards."""
    if sees_everything(user):
        return DISTRICT
    role = role_of(user)
    # Ids only: the menu asks this on every page, and must not cost a query for the street's name.
    if role == Role.STREET_STAFF and street_id_of(user) is not None:
        return DashboardScope(street_id=street_id_of(user))
    if role == Role.DEPT_OFFICER and department_id_of(user) is not None:
        return DashboardScope(department_id=department_id_of(user))
    return None


def can_view_dashboard(user: AnyUser) -> bool:
    """Whether the user watches any dashboard (the menu's link)."""
    return dashboard_scope(user) is not None


def can_publish_evaluation(user: AnyUser) -> bool:
    """Whether the user publishes a month's evaluation: leaders and administrators."""
    return sees_everything(user)
