"""Idempotent case creation: a retried POST /api/v1/cases/ with the same Idempotency-Key gets the first case."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import Case, IdempotencyKey
from core.api import ApiError

MAX_KEY_LENGTH = 255


def request_fingerprint(data: Any) -> str:
    """A hash of the request body, the same for the same content whatever its key order."""
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def create_once(user, key: str, fingerprint: str, create: Callable[[], Case]) -> tuple[Case, bool]:
    """The case this user's key created before (and True), or a new one from `create()` (and False).

    The key is stored in the same transaction as the case: a failed creation leaves no key behind,
    and of two simultaneous requests with one key the second waits for the first and gets its case.
    """
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            _("An Idempotency-Key is 1 to %(max)s characters.") % {"max": MAX_KEY_LENGTH},
            code="validation_error",
            status_code=400,
            fields={"Idempotency-Key": [_("An Idempotency-Key is 1 to %(max)s characters.") % {"max": MAX_KEY_LENGTH}]},
        )
    existing = IdempotencyKey.objects.filter(user=user, key=key).select_related("case").first()
    if existing is not None:
        return _replay(existing, fingerprint), True
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint)
            case = create()
            record.case = case
            record.save(update_fields=["case"])
    except IntegrityError:
        existing = IdempotencyKey.objects.select_related("case").get(user=user, key=key)
        return _replay(existing, fingerprint), True
    return case, False


def _replay(record: IdempotencyKey, fingerprint: str) -> Case:
    if record.request_hash != fingerprint:
        raise ApiError(
            _("This Idempotency-Key was used with a different request; use a new key for a new case."),
            code="idempotency_mismatch",
            status_code=422,
        )
    return record.case
