"""Settings from the environment (pydantic-settings). Secrets are SecretStr: never logged.

Every setting is checked here, when Settings() is made, so that `serve`, every CLI command
and a settings check all refuse the same values with the same words; `describe` turns the
refusal into one line naming the setting."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.calendar import WEEKDAY_NAMES, DeployCalendar, parse_closures, parse_weekdays

DEFAULT_DATABASE_URL = "sqlite:///launchbot.db"
# The drivers this project ships with: SQLite (standard library) and PostgreSQL (psycopg 3).
DATABASE_SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")
_HOSTNAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
                       r"(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?")


def check_port(port: int) -> int:
    """A TCP port to listen on; 0 ('any free port') or 99999 would listen somewhere unasked."""
    if not 1 <= port <= 65535:
        raise ValueError(f"{port} is not a TCP port (1 to 65535)")
    return port


def check_host(host: str) -> str:
    """An address to listen on: an IPv4/IPv6 address or a host name."""
    text = host.strip()
    try:
        ipaddress.ip_address(text)
        return text
    except ValueError:
        pass
    if not _HOSTNAME.fullmatch(text) or text.replace(".", "").isdigit():
        raise ValueError(f"{host!r} is not an IP address or host name")
    return text


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError ('../x'), OSError: all one answer
        raise ValueError(f"unknown time zone {name!r} (an IANA name, e.g. America/New_York)") \
            from None
    return name


def check_database_url(url: str) -> str:
    """A URL of a database this project can use, and one that keeps what is written."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError("not a database URL (e.g. sqlite:///launchbot.db or "
                         "postgresql://user@host:5432/name)") from None
    if parsed.drivername not in DATABASE_SCHEMES:
        raise ValueError(f"unsupported database {parsed.drivername!r}: use sqlite:///PATH or "
                         "postgresql://...")
    in_memory = parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed)
    if parsed.get_backend_name() == "sqlite" and in_memory:
        raise ValueError("an in-memory SQLite database loses everything when the process "
                         "ends: give a file, e.g. sqlite:///launchbot.db")
    return url


def check_http_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise ValueError(f"not a URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL with a host")
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    review_channel: str | None = None
    manifest_channel: str | None = None
    support_channel: str | None = None
    digest_channel: str | None = None
    reviewer_group: str | None = None
    reviewer_ids: Annotated[frozenset[str], NoDecode] = frozenset()
    timezone: str = "America/New_York"
    deploy_weekdays: Annotated[frozenset[int], NoDecode] = Field(default=frozenset({3}))
    extra_closures: Annotated[dict[date, str], NoDecode] = Field(default_factory=dict)
    inauguration_day: bool = False

    @field_validator("reviewer_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("deploy_weekdays", mode="before")
    @classmethod
    def _weekdays(cls, value: object) -> object:
        return parse_weekdays(value) if isinstance(value, str) else value

    @field_validator("deploy_weekdays")
    @classmethod
    def _business_weekdays(cls, value: frozenset[int]) -> frozenset[int]:
        # A weekend deploy day is always moved to a business day: every deploy day 'moved'.
        weekend = sorted(d for d in value if not 0 <= d <= 4)
        if weekend:
            names = ", ".join(WEEKDAY_NAMES[d] if 0 <= d <= 6 else str(d) for d in weekend)
            raise ValueError(f"{names}: deploy days are business days (MON to FRI)")
        if not value:
            raise ValueError("no deploy weekdays given: expected e.g. 'THU' or 'TUE,THU'")
        return value

    @field_validator("extra_closures", mode="before")
    @classmethod
    def _closures(cls, value: object) -> object:
        return parse_closures(value) if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        return check_http_url(value)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        return check_port(value)

    def calendar(self) -> DeployCalendar:
        return DeployCalendar(weekdays=self.deploy_weekdays, closures=self.extra_closures,
                              inauguration_day=self.inauguration_day, timezone=self.timezone)


def describe(exc: ValidationError) -> str:
    """A refusal of Settings as one line: each bad setting by its environment name."""
    parts = []
    for err in exc.errors():
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        message = str(err.get("ctx", {}).get("error") or err["msg"])
        parts.append(f"{name}: {' '.join(message.split())}")
    return "; ".join(dict.fromkeys(parts))
