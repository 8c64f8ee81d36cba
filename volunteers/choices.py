"""Fixed vocabularies of the volunteers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PairingKind(models.TextChoices):
    """How a branch is paired with a community."""

    POINT_TO_POINT = "point_to_point", _("Point-to-point responsibility")
    ONE_PLUS_ONE = "one_plus_one", _("Party-masses 1+1 pairing")


class ImportKind(models.TextChoices):
    """What an imported file holds."""

    VOLUNTEERS = "volunteers", _("Volunteers")
    PARTICIPANTS = "participants", _("Activity participants")


class ImportStatus(models.TextChoices):
    """Where an import stands."""

    QUEUED = "queued", _("Waiting")
    CHECKING = "checking", _("Checking rows")
    SAVING = "saving", _("Saving")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Not imported: rows have errors")
    FAILED = "failed", _("Not imported: the file cannot be read")
