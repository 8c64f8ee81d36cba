"""The notification tests share the small district (`world`)."""

from tests.world import world  # noqa: F401  (a fixture)
