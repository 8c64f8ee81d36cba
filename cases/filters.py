"""The case list filters of DESIGN.md §6: one FilterSet for the list page, its exports and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cases.choices import CaseState
from cases.figures import FIGURE_SETS, SUMMONS_SETS, Window, day_window, figure_summonses, in_figure_set
from cases.models import Campaign, Case, Category, Drive, TallyEntry
from cases.queries import DEFERRAL_DEFERRED, DEFERRAL_PENDING, ESCALATED_ANY, ESCALATED_TO_LEADERS, search_cases
from communities.choices import Role
from communities.models import Community, Department, Street
from communities.roles import role_of
from core.filters import DAY_RANGE, FIRST_DAY, LAST_DAY, YesNoFilter
from core.forms import ParentedSelect, style_fields

# Columns a list may be sorted by (parameter value → field); `-` in front sorts descending.
ORDERING_FIELDS = (
    ("number", "number"),
    ("created_at", "created_at"),
    ("state", "state"),
    ("report_in_due_at", "report_in_due_at"),
    ("resolve_due_at", "resolve_due_at"),
    ("updated_at", "updated_at"),
)


def _search(name: str, key: str | None = None, *, yes_no: bool = False):
    """A filter method that hands its value (a chosen object's `key`) to the one search rule in queries.py."""

    def method(queryset: QuerySet[Case], _field: str, value) -> QuerySet[Case]:
        if value in (None, "", []):
            return queryset
        if yes_no:
            value = value == "true"
        return search_cases(queryset, **{name: getattr(value, key) if key else value})

    return method


@extend_schema_field(OpenApiTypes.INT)
class DepartmentFilter(django_filters.ModelChoiceFilter):
    """Cases a department has (or had) a part in, by the department's id."""


class CaseFilterForm(forms.Form):
    """The case list filters' form: a period must not end before it starts."""

    def clean(self) -> dict:
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return data


class CaseFilterSet(django_filters.FilterSet):
    """state, campaign (slug), category (code), street, community, department, overdue, dates, q."""

    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=CaseState.choices, method=_search("state"), widget=forms.SelectMultiple
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        queryset=Campaign.objects.select_related("drive").order_by("-drive__starts_on", "order"),
        to_field_name="slug",
        method=_search("campaign", "slug"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"),
        queryset=Category.objects.select_related("campaign").order_by("campaign__order", "code"),
        to_field_name="code",
        method=_search("category", "code"),
    )
    street = django_filters.ModelChoiceFilter(
        label=_("Street"), queryset=Street.objects.order_by("order", "name"), method=_search("street", "pk")
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.select_related("street").order_by("street__order", "name"),
        method=_search("community", "pk"),
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    department = DepartmentFilter(
        label=_("Department"), queryset=Department.objects.order_by("name"), method=_search("department", "pk")
    )
    overdue = YesNoFilter(
        label=_("Overdue"),
        method=_search("overdue", yes_no=True),
        choices=[("true", _("Overdue")), ("false", _("Not overdue"))],
    )
    extension_pending = YesNoFilter(
        label=_("Extension requested"),
        method=_search("extension_pending", yes_no=True),
        choices=[("true", _("Waiting for a decision")), ("false", _("None"))],
    )
    escalated = django_filters.ChoiceFilter(
        label=_("Escalation (督办)"),
        method=_search("escalated"),
        choices=[(ESCALATED_ANY, _("Escalated")), (ESCALATED_TO_LEADERS, _("Escalated to the leaders"))],
    )
    supervised = YesNoFilter(
        label=_("Supervision (督办)"),
        method=_search("supervised", yes_no=True),
        choices=[("true", _("Supervised (by a leader or escalated)")), ("false", _("Not supervised"))],
    )
    deferral = django_filters.ChoiceFilter(
        label=_("Deferral (缓办)"),
        method=_search("deferral"),
        choices=[(DEFERRAL_PENDING, _("Deferral requested")), (DEFERRAL_DEFERRED, _("Deferred now"))],
    )
    created_after = django_filters.DateFilter(
        label=_("Filed from"),
        method=_search("created_after"),
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
        validators=DAY_RANGE,
    )
    created_before = django_filters.DateFilter(
        label=_("Filed until"),
        method=_search("created_before"),
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
        validators=DAY_RANGE,
    )
    drive = django_filters.ModelChoiceFilter(
        label=_("Drive"),
        queryset=Drive.objects.order_by("-starts_on"),
        to_field_name="slug",
        field_name="campaign__drive",
    )
    # The dashboard's figures as sets: each figure links here with its set, period and scope.
    figure = django_filters.ChoiceFilter(
        label=_("Figure"), choices=list(FIGURE_SETS.items()), method="filter_figure_later"
    )
    date_from = django_filters.DateFilter(
        label=_("Period from"),
        method="filter_figure_later",
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
        validators=DAY_RANGE,
        help_text=_("The days a figure counts by (filed days when no figure is chosen)."),
    )
    date_to = django_filters.DateFilter(
        label=_("Period until"),
        method="filter_figure_later",
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}),
        validators=DAY_RANGE,
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method=_search("text"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Number, title, description or address")}),
    )
    ordering = django_filters.OrderingFilter(label=_("Sort by"), fields=ORDERING_FIELDS)

    class Meta:
        model = Case
        fields: list[str] = []
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        # Offer only the streets and communities the user's cases can be in.
        if user is not None and role_of(user) in (Role.STREET_STAFF, Role.ROAD_CHIEF):
            street_id = user.staff_profile.street_id
            self.filters["street"].queryset = Street.objects.filter(pk=street_id)
            self.filters["community"].queryset = self.filters["community"].queryset.filter(street_id=street_id)
        style_fields(self.form)

    def filter_figure_later(self, queryset: QuerySet[Case], _name: str, _value) -> QuerySet[Case]:
        """The figure and its period are one condition, applied in filter_queryset."""
        return queryset

    def figure_choice(self) -> tuple[str, Window, int | None] | None:
        """The chosen figure (intake when only a period is given), its window and department; None if neither."""
        data = self.form.cleaned_data if self.is_valid() else {}
        figure, date_from, date_to = data.get("figure"), data.get("date_from"), data.get("date_to")
        if not figure and not (date_from or date_to):
            return None
        department = data.get("department")
        return figure or "intake", day_window(date_from, date_to), department.pk if department else None

    def filter_queryset(self, queryset: QuerySet[Case]) -> QuerySet[Case]:
        queryset = super().filter_queryset(queryset)
        choice = self.figure_choice()
        if choice is None:
            return queryset
        figure, window, department = choice
        return in_figure_set(queryset, figure, window, department=department)

    @property
    def summonses(self) -> int | None:
        """With a summons figure chosen: how many such summonses the listed cases hold (what the figure counts)."""
        choice = self.figure_choice()
        if choice is None or choice[0] not in SUMMONS_SETS:
            return None
        figure, window, department = choice
        listed = self.qs.order_by().values("pk")
        return figure_summonses(figure, window, department=department).filter(case__in=listed).count()

    @property
    def qs(self) -> QuerySet[Case]:
        # Newest first unless the user chose a column; the number breaks ties so pages never overlap.
        cases = super().qs
        if not cases.query.order_by:
            cases = cases.order_by("-created_at", "-number")
        return cases


class TallyFilterSet(django_filters.FilterSet):
    """Tally entries by campaign (slug), metric (code), community, street and day range; voided or not."""

    campaign = django_filters.CharFilter(field_name="campaign__slug", label=_("Campaign"))
    metric = django_filters.CharFilter(field_name="metric__code", label=_("Metric"))
    # A case's entry may have no community (a road case): its street is the case's.
    street = django_filters.ModelChoiceFilter(
        field_name="community__street",
        queryset=Street.objects.all(),
        label=_("Street"),
        method="filter_street",
    )
    case = django_filters.CharFilter(field_name="case__number", label=_("Case number"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"), validators=DAY_RANGE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("Until"), validators=DAY_RANGE)
    voided = django_filters.BooleanFilter(
        field_name="voided_at", lookup_expr="isnull", exclude=True, label=_("Voided (by a rework)")
    )

    class Meta:
        model = TallyEntry
        fields = ["community", "activity"]

    def filter_street(self, queryset: QuerySet[TallyEntry], name: str, street: Street | None) -> QuerySet[TallyEntry]:
        """Entries in the street: by their community, or (a road case's, without one) by their case."""
        if street is None:
            return queryset
        return queryset.filter(Q(community__street=street) | Q(case__street=street))
