"""Shared fixtures."""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language, whatever an earlier test activated."""
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _postgres_only(request):
    """Tests marked `postgres` need PostgreSQL: locally they skip loudly, in CI they fail."""
    if request.node.get_closest_marker("postgres") is None or connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        pytest.fail(
            "This test needs PostgreSQL. CI runs it with DATABASE_URL=postgres://…; "
            "its SQLite pass deselects it with -m 'not postgres'."
        )
    pytest.skip(
        "NEEDS POSTGRESQL, NOT RUN: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/shenhe to run it (CI does)."
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed the demo once for a module (it takes seconds); each test's own changes are rolled back after it."""
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(seeded, db):
    """The demo world of a first `seed_demo` run."""
