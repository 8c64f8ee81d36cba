"""The community list's filters: the communities app's own, plus whether a party branch is paired with it now."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from communities.filters import CommunityFilterSet
from communities.models import Community
from core.filters import YesNoFilter
from volunteers.models import BranchPairing


class CommunityListFilterSet(CommunityFilterSet):
    """Street, name and "paired now" (so leaders find the communities a move left without a branch)."""

    paired = YesNoFilter(
        label=_("Party branch"),
        method="filter_paired",
        choices=[("true", _("Paired with a branch")), ("false", _("Without a branch"))],
    )

    def filter_paired(self, queryset: QuerySet[Community], _name: str, value: str) -> QuerySet[Community]:
        current = BranchPairing.objects.filter(community=OuterRef("pk"), ends_on__isnull=True)
        return queryset.filter(Exists(current)) if value == "true" else queryset.exclude(Exists(current))
