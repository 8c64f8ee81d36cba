"""Template context every page needs: which menu entries the user's role has."""

from __future__ import annotations

from django.http import HttpRequest

from cases.permissions import can_file_cases, has_department_inbox
from dashboard.permissions import can_view_dashboard
from volunteers.permissions import can_manage_any, can_view_volunteers


def navigation(request: HttpRequest) -> dict:
    """Which menu links the user gets: intake, department inbox, dashboard, communities and volunteers."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "can_file": can_file_cases(user),
            "has_inbox": has_department_inbox(user),
            "has_dashboard": can_view_dashboard(user),
            "has_volunteers": can_view_volunteers(user),
            "manages_volunteers": can_manage_any(user),
        }
    }
