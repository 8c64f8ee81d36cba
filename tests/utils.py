"""Helpers shared by the tests."""

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image


def db_refuses(build: Callable[[], object]) -> bool:
    """Whether the database refuses what `build` writes (nothing of it stays either way)."""
    try:
        with transaction.atomic():
            build()
    except IntegrityError:
        return True
    return False


def photo_upload(name: str = "photo.png", size: tuple[int, int] = (64, 48), color: str = "green") -> SimpleUploadedFile:
    """A small, valid PNG upload."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
