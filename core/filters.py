"""Filter pieces every app's FilterSets share: the day range a date filter accepts and a strict yes/no filter."""

from __future__ import annotations

import datetime

import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

# Days a date filter accepts: wide enough for any case, narrow enough that date arithmetic never overflows.
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
DAY_RANGE = [
    MinValueValidator(FIRST_DAY, message=_("Choose a day in 2000 or later.")),
    MaxValueValidator(LAST_DAY, message=_("Choose a day before 2100.")),
]


@extend_schema_field({"type": "boolean"})
class YesNoFilter(django_filters.ChoiceFilter):
    """A boolean filter offered as a select (any / yes / no): anything but true or false is an error, not ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Any"))
        super().__init__(*args, **kwargs)
