"""Database helpers shared by the apps' models."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def ends_after_start(name: str) -> models.CheckConstraint:
    """A period (`starts_on`, optional `ends_on`) may not end before it starts."""
    return models.CheckConstraint(
        condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
        name=name,
        violation_error_message=_("The end date cannot be before the start date."),
    )
