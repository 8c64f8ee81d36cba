"""The mobilisation figures of the leaders' dashboard: branches, volunteers, activities, people-times, hours."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from cases.dashboard import DashboardFilters
from volunteers.models import Activity, Participation


def mobilisation(filters: DashboardFilters) -> dict[str, Any]:
    """Counted from the activities in scope (the drive's campaigns, the place and the date range), in two queries."""
    activities = Activity.objects.filter(campaign__drive=filters.drive) if filters.drive else Activity.objects.none()
    activities = filters.narrow(activities)
    start, end = filters.window
    if start is not None:
        activities = activities.filter(starts_at__gte=start)
    if end is not None:
        activities = activities.filter(starts_at__lt=end)
    parts = Participation.objects.filter(activity__in=activities)
    totals = parts.aggregate(
        people_times=Count("pk"),
        volunteers=Count("volunteer", distinct=True),
        hours=Sum("hours"),
    )
    counts = activities.aggregate(
        activities=Count("pk"),
        branches=Count("branch", distinct=True, filter=Q(branch__isnull=False)),
    )
    return {
        "branches": counts["branches"],
        "volunteers": totals["volunteers"],
        "activities": counts["activities"],
        "people_times": totals["people_times"],
        "hours": totals["hours"] or Decimal("0"),
    }
