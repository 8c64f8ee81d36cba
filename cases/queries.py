"""Case queries shared by pages, the API, dashboards and the workflow: visibility, overdue, search, duplicates."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.choices import OPEN_STATES, WORKING_STATES, AssignmentRole, CaseState, Deadline
from cases.models import Assignment, Case, CaseEvent, Category, coordinates_errors
from communities.models import Community, Road
from core import clock

METRES_PER_DEGREE_LATITUDE = 111_320


def deferred_q() -> Q:
    """Deferred (缓办/挂账) now: the resolve clock is stopped until the case comes back on its date."""
    return Q(deferred_at__isnull=False)


def resolve_overdue_q(now: datetime.datetime) -> Q:
    """A department holds the case, its resolve deadline has passed and its clock is not stopped (deferred)."""
    return Q(state__in=WORKING_STATES, resolve_due_at__lt=now) & ~deferred_q()


def supervised_q() -> Q:
    """Supervised (督办): by a leader (the `supervise` action), or by the system (an escalation of a deadline
    a department still holds, as escalated_q)."""
    return Q(supervised_at__isnull=False) | escalated_q()


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """A department holds the case and a deadline has passed: report-in (still dispatched) or resolve.

    A deferred case is not overdue on its resolve deadline while deferred (its clock is stopped).
    """
    now = now or clock.now()
    return resolve_overdue_q(now) | report_in_overdue_q(now)


def report_in_overdue_q(now: datetime.datetime | None = None) -> Q:
    """The lead department has not reported in and its report-in deadline has passed."""
    return Q(state=CaseState.DISPATCHED, report_in_due_at__lt=now or clock.now())


def escalation_due_q(deadline: str, now: datetime.datetime, level: int = 1) -> Q:
    """Cases overdue on this deadline whose current due time has not been escalated to this level yet.

    Level 1 (督办 to the department and the street) is due once the deadline has passed. For level 2 (to the
    leaders) this is the set to look at: it falls due once the deadline has been missed by as long again as
    its window, by the case's clock, which the workflow works out per case (cases.workflow.second_escalation_at).
    """
    due = f"{deadline}_due_at"
    overdue = report_in_overdue_q(now) if deadline == Deadline.REPORT_IN else resolve_overdue_q(now)
    mark = f"{deadline}_escalated_for" if level == 1 else f"{deadline}_escalated_twice_for"
    not_yet = Q(**{f"{mark}__isnull": True}) | ~Q(**{mark: F(due)})
    if level == 1:
        return overdue & not_yet
    first_done = Q(**{f"{deadline}_escalated_for": F(due)})
    return overdue & first_done & not_yet


def with_overdue(cases: QuerySet[Case], now: datetime.datetime | None = None) -> QuerySet[Case]:
    """Annotate `overdue` and `report_in_overdue` (DESIGN.md §6 names) in the query, not in Python."""
    now = now or clock.now()
    return cases.annotate(
        overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()),
        report_in_overdue=ExpressionWrapper(report_in_overdue_q(now), output_field=BooleanField()),
    )


def visible_to(user, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """The cases this user may see."""
    from cases.permissions import visible_cases_q

    cases = Case.objects.all() if cases is None else cases
    return cases.filter(visible_cases_q(user))


def overdue_assignments(now: datetime.datetime | None = None) -> QuerySet[Assignment]:
    """Current assignments of summoned departments that have not reported in by their deadline."""
    return Assignment.objects.filter(
        finished_at__isnull=True,
        reported_in_at__isnull=True,
        report_in_due_at__lt=now or clock.now(),
        role__in=(AssignmentRole.LEAD, AssignmentRole.ASSIST),
    )


def search_cases(
    cases: QuerySet[Case],
    *,
    state: str | list[str] | None = None,
    campaign: str | None = None,
    category: str | None = None,
    street: int | None = None,
    community: int | None = None,
    department: int | None = None,
    overdue: bool | None = None,
    created_after: datetime.date | None = None,
    created_before: datetime.date | None = None,
    text: str | None = None,
    extension_pending: bool | None = None,
    escalated: str | None = None,
    supervised: bool | None = None,
    deferral: str | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Case]:
    """Narrow cases by the list filters of DESIGN.md §6 (campaign by slug, category by code, dates inclusive)."""
    if state:
        cases = cases.filter(state__in=[state] if isinstance(state, str) else state)
    if campaign:
        cases = cases.filter(campaign__slug=campaign)
    if category:
        cases = cases.filter(category__code=category)
    if street:
        cases = cases.filter(street_id=street)
    if community:
        cases = cases.filter(community_id=community)
    if department:
        cases = cases.filter(Exists(Assignment.objects.filter(case=OuterRef("pk"), department_id=department)))
    if overdue is not None:
        cases = cases.filter(overdue_q(now)) if overdue else cases.exclude(overdue_q(now))
    if created_after:
        cases = cases.filter(created_at__gte=_start_of_day(created_after))
    if created_before:
        cases = cases.filter(created_at__lt=_start_of_day(created_before + datetime.timedelta(days=1)))
    if text and text.strip():
        cases = cases.filter(text_q(text))
    if extension_pending is not None:
        cases = cases.filter(extension_requested_until__isnull=not extension_pending)
    if escalated:
        cases = cases.filter(escalated_q(to_leaders=escalated == ESCALATED_TO_LEADERS))
    if supervised is not None:
        cases = cases.filter(supervised_q()) if supervised else cases.exclude(supervised_q())
    if deferral == DEFERRAL_DEFERRED:
        cases = cases.filter(deferred_q())
    elif deferral == DEFERRAL_PENDING:
        cases = cases.filter(deferral_requested_at__isnull=False, deferred_at__isnull=True)
    return cases


DEFERRAL_PENDING, DEFERRAL_DEFERRED = "pending", "deferred"


ESCALATED_ANY, ESCALATED_TO_LEADERS = "any", "leaders"


def escalated_q(*, to_leaders: bool = False) -> Q:
    """Cases a department still holds whose current deadline was escalated (督办); or escalated to the leaders."""
    suffix = "escalated_twice_for" if to_leaders else "escalated_for"
    return Q(state__in=WORKING_STATES) & (
        Q(**{f"report_in_{suffix}": F("report_in_due_at")}, state=CaseState.DISPATCHED)
        | Q(**{f"resolve_{suffix}": F("resolve_due_at")})
    )


def text_q(text: str) -> Q:
    """Every word must appear in the number, title, description or address."""
    condition = Q()
    for word in text.split()[:10]:
        condition &= (
            Q(number__icontains=word)
            | Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(address__icontains=word)
        )
    return condition


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def distance_metres(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    """Great-circle distance between two points (haversine), good to a metre at city scale."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    dphi = phi2 - phi1
    dlambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def possible_duplicates(
    category: Category,
    community: Community | None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    *,
    road: Road | None = None,
    exclude: Case | None = None,
    user=None,
    now: datetime.datetime | None = None,
) -> list[Case]:
    """Open cases of the same category in the same community (for a case without one: on the same road) or
    within the radius, filed in the window.

    Given a user, only the cases that user may see are offered.
    """
    now = now or clock.now()
    since = now - datetime.timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    radius = settings.DUPLICATE_RADIUS_METRES
    if community is not None:
        place = Q(community=community)
    elif road is not None:
        place = Q(road=road)
    else:
        place = Q(pk__in=[])
    if latitude is not None and longitude is not None and coordinates_errors(latitude, longitude):
        latitude = longitude = None  # a point outside the district cannot be near anything in it
    if latitude is not None and longitude is not None:
        # A bounding box in SQL narrows the candidates; the exact distance is checked below.
        dlat = Decimal(radius / METRES_PER_DEGREE_LATITUDE)
        dlon = Decimal(radius / (METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(float(latitude)))))
        place |= Q(
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
    candidates = (
        Case.objects.filter(place, category=category, state__in=OPEN_STATES, created_at__gte=since)
        .select_related("community", "category")
        .order_by("-created_at")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    if user is not None:
        candidates = visible_to(user, candidates)

    def same_place(case: Case) -> bool:
        if community is not None:
            return case.community_id == community.pk
        return road is not None and case.road_id == road.pk

    return [case for case in candidates[:50] if same_place(case) or _within(case, latitude, longitude)]


def _within(case: Case, latitude: Decimal | None, longitude: Decimal | None) -> bool:
    if case.latitude is None or latitude is None:
        return False
    return distance_metres(latitude, longitude, case.latitude, case.longitude) <= settings.DUPLICATE_RADIUS_METRES


def department_inbox(department_id: int | None) -> QuerySet[Assignment]:
    """The department's current parts on cases (lead, assisting, copied) with the cases they are on."""
    return Assignment.objects.filter(department_id=department_id, finished_at__isnull=True).select_related(
        "case", "case__category", "case__community", "case__street", "case__road"
    )


AWAITING_REPORT_IN = Q(reported_in_at__isnull=True, role__in=(AssignmentRole.LEAD, AssignmentRole.ASSIST))


def awaiting_report_in(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Summoned parts (lead or assisting) that have not reported in yet, soonest deadline first."""
    return assignments.filter(AWAITING_REPORT_IN).order_by("report_in_due_at", "pk")


def in_hand(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Parts the department has taken up (reported in) or is copied on, nearest resolve deadline first."""
    return assignments.exclude(AWAITING_REPORT_IN).order_by(F("case__resolve_due_at").asc(nulls_last=True), "pk")


def case_rows(user) -> QuerySet[Case]:
    """The cases the user may see with what a list row shows (pages, exports and API), in fixed queries."""
    parts = Prefetch("assignments", queryset=Assignment.objects.select_related("department"))
    cases = Case.objects.select_related("category", "campaign", "street", "community", "road", "duplicate_of")
    return with_overdue(visible_to(user, cases.prefetch_related(parts)))


def deferral_register(user) -> QuerySet[Case]:
    """The register of deferrals (缓办/挂账台账) the user may see: deferred cases first, by the date they come back,
    then the requests still waiting for a leader."""
    cases = visible_to(user).filter(Q(deferred_at__isnull=False) | Q(deferral_requested_at__isnull=False))
    return (
        cases.select_related("category", "street", "deferred_by")
        .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("department")))
        .order_by("deferral_until", "number")
    )


def send_backs(case: Case) -> list[CaseEvent]:
    """The case's send-back events, latest first, each with `department_id` / `department_name` of the
    department that sent it back (from the event; for older events, the officer's department)."""
    events = (
        CaseEvent.objects.filter(case=case, action="send_back")
        .select_related("actor", "actor__staff_profile__department")
        .order_by("-created_at", "-pk")
    )
    found = []
    for event in events:
        profile = getattr(event.actor, "staff_profile", None) if event.actor else None
        department = profile.department if profile is not None else None
        event.department_id = event.data.get("department_id") or (department.pk if department else None)
        event.department_name = event.data.get("department") or (department.name if department else "")
        found.append(event)
    return found


def suggested_lead_department_id(case: Case, refused: list[CaseEvent]) -> int | None:
    """The lead a dispatch starts with: the category's default department, unless it sent this case back."""
    default = case.category.default_department_id
    return None if default in {event.department_id for event in refused} else default
