"""The core tests use the workflow tests' small district (`world`)."""

from tests.world import world  # noqa: F401  (a fixture)
