"""Why an action was refused: one exception family that pages and the API both translate (DESIGN.md §6 codes)."""

from __future__ import annotations

from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """An action was refused; nothing was changed.

    `code` is the machine code of DESIGN.md §6 (what the API answers); `reason` says more precisely
    why (e.g. `not_your_street`); `message` is translated; `fields` maps input fields to messages.
    """

    code: ClassVar[str] = "error"
    status_code: ClassVar[int] = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        reason: str | None = None,
        fields: dict[str, list[str | Promise]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.reason = reason or self.code
        self.fields = fields or {}

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    """The data given with the action is missing or wrong (a reason, a photo, a quantity)."""

    code = "validation_error"
    status_code = 400

    @classmethod
    def for_fields(cls, fields: dict[str, list[str | Promise]]) -> InvalidInput:
        """Refuse because of these fields; the message lists what to correct."""
        first = next(iter(fields.values()))[0]
        return cls(first if len(fields) == 1 else _("Please correct the marked fields."), fields=fields)


class Forbidden(DomainError):
    """The user may see the case but may not take this action on it."""

    code = "forbidden"
    status_code = 403


class Conflict(DomainError):
    """Someone else changed the case first, or it is locked by another action."""

    code = "conflict"
    status_code = 409


class InvalidState(Conflict):
    """The case is not in a state that allows the action (also what the loser of a race sees)."""

    code = "invalid_state"


class NotFound(DomainError):
    """The case does not exist or the user may not see it (the two are not told apart)."""

    code = "not_found"
    status_code = 404
