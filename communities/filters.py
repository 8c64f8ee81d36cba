"""Filters of the community list: one FilterSet for the page and its exports."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Street
from core.forms import style_fields


class CommunityFilterSet(django_filters.FilterSet):
    """Communities by street and by name."""

    street = django_filters.ModelChoiceFilter(label=_("Street"), queryset=Street.objects.order_by("order", "name"))
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Community name")}),
    )

    class Meta:
        model = Community
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        style_fields(self.form)

    def search(self, queryset: QuerySet[Community], _name: str, value: str) -> QuerySet[Community]:
        """Every word must appear in the community's name."""
        for word in value.split()[:10]:
            queryset = queryset.filter(name__icontains=word)
        return queryset
