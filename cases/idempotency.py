"""Doing a thing once: a retried request with the same key gets the outcome of the first, never a second one.

One store (IdempotencyKey: user, key, fingerprint of the request, the case and event it produced) and one
rule, for the API's `Idempotency-Key` header and the pages' one-time form token alike:

- the first request with a key performs the action and stores the key with its outcome in the same
  transaction (a refused action leaves no key behind, so the corrected form may be sent again);
- a later request with the same key and the same content gets that outcome back, nothing is done again
  (two simultaneous ones: the second waits for the first and gets its outcome);
- the same key with other content is refused (`IdempotencyMismatch`), and nothing is done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseEvent, IdempotencyKey
from core.errors import DomainError, InvalidInput

MAX_KEY_LENGTH = 255
KEY_FIELD = "Idempotency-Key"
KEY_LENGTH_MESSAGE = _("An Idempotency-Key is 1 to %(max)s characters.")


class IdempotencyMismatch(DomainError):
    """The key was used before with another request: nothing was done (DESIGN.md §6: 422).

    `record` is what the key produced the first time (a page can point to that case).
    """

    code = "idempotency_mismatch"
    status_code = 422

    def __init__(self, message, *, record: IdempotencyKey | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.record = record


MISMATCH_MESSAGE = _("This Idempotency-Key was used with a different request; use a new key for a new case.")


def _plain(value: Any) -> Any:
    """What json cannot write: a form's repeated fields as lists, an uploaded file as its name and size."""
    if hasattr(value, "lists"):  # a QueryDict / MultiValueDict
        return dict(value.lists())
    if hasattr(value, "read") and hasattr(value, "size"):
        return f"{getattr(value, 'name', '')}:{value.size}"
    return str(value)


def request_fingerprint(data: Any) -> str:
    """A hash of the request body, the same for the same content whatever its key order."""
    if hasattr(data, "lists"):
        data = _plain(data)
    text = json.dumps(data, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _checked_key(key: str) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        message = KEY_LENGTH_MESSAGE % {"max": MAX_KEY_LENGTH}
        raise InvalidInput(message, fields={KEY_FIELD: [message]})
    return key


def _replay(record: IdempotencyKey, fingerprint: str) -> IdempotencyKey:
    if record.request_hash != fingerprint:
        raise IdempotencyMismatch(MISMATCH_MESSAGE, record=record)
    return record


def previous_outcome(user, key: str, fingerprint: str) -> IdempotencyKey | None:
    """The outcome this user's key produced before (its `case`, `event`), or None if the key is new.

    Ask before checking whether the action is allowed: after the first request it no longer is.
    """
    record = IdempotencyKey.objects.filter(user=user, key=_checked_key(key)).select_related("case", "event").first()
    return None if record is None else _replay(record, fingerprint)


def perform_once(user, key: str, fingerprint: str, perform: Callable[[], Case]) -> tuple[IdempotencyKey, bool]:
    """The outcome of `perform()` stored under this user's key (and False), or the stored one (and True).

    `perform` returns the case it created or acted on; the event it recorded (workflow sets
    `case.recorded_event`) is stored with it.
    """
    key = _checked_key(key)
    existing = previous_outcome(user, key, fingerprint)
    if existing is not None:
        return existing, True
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint)
            case = perform()
            record.case = case
            event = getattr(case, "recorded_event", None)
            record.event = event if isinstance(event, CaseEvent) else None
            record.save(update_fields=["case", "event"])
    except IntegrityError:
        # Another request with the key committed first: answer with its outcome.
        existing = IdempotencyKey.objects.select_related("case", "event").filter(user=user, key=key).first()
        if existing is None:  # not the key's constraint: a real error
            raise
        return _replay(existing, fingerprint), True
    return record, False


def create_once(user, key: str, fingerprint: str, create: Callable[[], Case]) -> tuple[Case, bool]:
    """The case this user's key created before (and True), or a new one from `create()` (and False)."""
    record, replayed = perform_once(user, key, fingerprint, create)
    return record.case, replayed
