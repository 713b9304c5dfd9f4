"""The ops tests use the security tests' world: the real bot over HTTP on the fake Slack."""

from tests.security.conftest import world  # noqa: F401 - a fixture
