"""Filters of the branch, volunteer and activity lists: one FilterSet each for pages, exports and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cases.models import Campaign, Drive
from communities.models import Community, Street
from core.filters import DAY_RANGE, FIRST_DAY, LAST_DAY, YesNoFilter
from core.forms import ParentedSelect, style_fields
from volunteers.models import Activity, PartyBranch, Volunteer
from volunteers.queries import Period

YES_NO = (("true", _("Yes")), ("false", _("No")))


DATE_WIDGET = forms.DateInput(attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()})


def search_filter(placeholder: str) -> django_filters.CharFilter:
    """The free-text filter `q` of a list."""
    return django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form carries the site's Bootstrap classes."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        style_fields(self.form)


class PartyBranchFilterSet(StyledFilterSet):
    """Branches by the street and community they are paired with now, and by name."""

    street = django_filters.ModelChoiceFilter(
        label=_("Street"), queryset=Street.objects.order_by("order", "name"), method="paired_in_street"
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.select_related("street").order_by("street__order", "name"),
        method="paired_with",
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    q = search_filter(_("Branch or organisation"))

    class Meta:
        model = PartyBranch
        fields: list[str] = []

    def paired_in_street(self, queryset: QuerySet, _name: str, value: Street) -> QuerySet:
        return queryset.filter(pairings__ends_on__isnull=True, pairings__community__street=value)

    def paired_with(self, queryset: QuerySet, _name: str, value: Community) -> QuerySet:
        return queryset.filter(pairings__ends_on__isnull=True, pairings__community=value)

    def search(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(organisation__icontains=value))


class VolunteerFilterSet(StyledFilterSet):
    """Volunteers by street, community, branch, party membership and name or phone."""

    street = django_filters.ModelChoiceFilter(
        label=_("Street"), field_name="community__street", queryset=Street.objects.order_by("order", "name")
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.select_related("street").order_by("street__order", "name"),
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    branch = django_filters.ModelChoiceFilter(label=_("Party branch"), queryset=PartyBranch.objects.all())
    is_party_member = YesNoFilter(label=_("Party member"), choices=YES_NO, method="party_member")
    q = search_filter(_("Name, full phone or skill"))

    class Meta:
        model = Volunteer
        fields: list[str] = []

    def party_member(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        return queryset.filter(is_party_member=value == "true") if value else queryset

    def search(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        # A full phone finds its owner; a partial phone finds nothing (phones are masked to most users).
        return queryset.filter(Q(name__icontains=value) | Q(phone=value) | Q(skills__icontains=value))


class ActivityFilterSet(StyledFilterSet):
    """Activities by street, community, branch, drive and campaign (slugs), day range and title."""

    street = django_filters.ModelChoiceFilter(
        label=_("Street"), field_name="community__street", queryset=Street.objects.order_by("order", "name")
    )
    community = django_filters.ModelChoiceFilter(
        label=_("Community"),
        queryset=Community.objects.select_related("street").order_by("street__order", "name"),
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    branch = django_filters.ModelChoiceFilter(label=_("Party branch"), queryset=PartyBranch.objects.all())
    drive = django_filters.ModelChoiceFilter(
        label=_("Drive"),
        field_name="campaign__drive",
        queryset=Drive.objects.order_by("-starts_on"),
        to_field_name="slug",
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        queryset=Campaign.objects.select_related("drive").order_by("-drive__starts_on", "order"),
        to_field_name="slug",
    )
    date_from = django_filters.DateFilter(label=_("From"), method="from_day", validators=DAY_RANGE, widget=DATE_WIDGET)
    date_to = django_filters.DateFilter(label=_("Until"), method="until_day", validators=DAY_RANGE, widget=DATE_WIDGET)
    q = search_filter(_("Title or what was done"))

    class Meta:
        model = Activity
        fields: list[str] = []

    def from_day(self, queryset: QuerySet, _name: str, value) -> QuerySet:
        return queryset.filter(Period(start=value).activity_q()) if value else queryset

    def until_day(self, queryset: QuerySet, _name: str, value) -> QuerySet:
        return queryset.filter(Period(end=value).activity_q()) if value else queryset

    def search(self, queryset: QuerySet, _name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
