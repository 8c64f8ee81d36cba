"""Helpers shared by the tests."""

from collections.abc import Callable

from django.db import IntegrityError, transaction


def db_refuses(build: Callable[[], object]) -> bool:
    """Whether the database refuses what `build` writes (nothing of it stays either way)."""
    try:
        with transaction.atomic():
            build()
    except IntegrityError:
        return True
    return False
