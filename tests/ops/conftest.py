"""The ops tests use the security tests' world: the real bot over HTTP on the fake Slack."""

from tests.security.conftest import evil, world  # noqa: F401 - fixtures
