"""Who may watch the dashboards (DESIGN.md §4): leaders and administrators see the whole district."""

from __future__ import annotations

from communities.roles import AnyUser, sees_everything


def can_view_dashboard(user: AnyUser) -> bool:
    """Leaders (and administrators) watch the campaign dashboards."""
    return sees_everything(user)
