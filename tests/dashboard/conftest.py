"""The workflow tests' small district (`world`), shared with the dashboard tests."""

from tests.world import world  # noqa: F401  (a fixture)
