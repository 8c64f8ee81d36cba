"""Shared fixtures."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language, whatever an earlier test activated."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()
