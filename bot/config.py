"""Settings from the environment (pydantic-settings). Secrets are SecretStr: never logged.

Every setting is checked here, when Settings() is made, so that `serve`, every CLI command
and a settings check all refuse the same values with the same words; `describe` turns the
refusal into one line naming the setting.

This model is also the one reference of the settings: `launchbot settings` and the README's
table are printed from its fields (type, default, description), so a setting documented
anywhere else would drift. Every secret can also come from a file named by `NAME_FILE`
(container platforms and systemd credentials mount secrets as files)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.calendar import WEEKDAY_NAMES, DeployCalendar, parse_closures, parse_weekdays

DEFAULT_DATABASE_URL = "sqlite:///launchbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Settings that may come from `NAME_FILE` instead of `NAME`: the secrets, and the database URL
# (it may carry a password).
FILE_SETTINGS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "database_url")
MAX_SECRET_FILE = 64 * 1024


def _file_field(name: str) -> Any:
    return Field(default=None, description=f"a file holding {name.upper()} (instead of "
                 f"{name.upper()} itself)", json_schema_extra={"group": "secret files"})
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


def split_ids(text: str) -> frozenset[str]:
    """'U01, U02' -> {'U01', 'U02'}."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())


# How a setting given as text is read, beyond what its type does.
TEXT_PARSERS: dict[str, Callable[[str], object]] = {
    "log_level": lambda text: text.strip().upper(),
    "log_format": lambda text: text.strip().lower(),
    "reviewer_ids": split_ids,
    "deploy_weekdays": parse_weekdays,
    "extra_closures": parse_closures,
}
# What a setting's value must also satisfy (each check returns the value or raises ValueError).
CHECKS: dict[str, Callable[[Any], Any]] = {
    "timezone": check_timezone,
    "database_url": check_database_url,
    "slack_api_url": check_http_url,
    "port": check_port,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = Field(
        None, description="the Bot User OAuth Token (xoxb-…); needed by serve")
    slack_signing_secret: SecretStr | None = Field(
        None, description="the app's Signing Secret; needed by serve over HTTP")
    slack_app_token: SecretStr | None = Field(
        None, description="an app-level token (xapp-…): serve uses Socket Mode when it is set")
    slack_api_url: str = Field(
        DEFAULT_SLACK_API_URL, description="the Slack Web API base URL "
        "(GovSlack: https://slack-gov.com/api/)")
    database_url: str = Field(
        DEFAULT_DATABASE_URL, description="the store: a SQLite file or postgresql://user@host/db")
    database_pool_size: int = Field(
        12, ge=1, le=200, description="PostgreSQL: connections each serve process keeps open "
        "(a shared server's max_connections must cover every process's pool and overflow)")
    database_max_overflow: int = Field(
        36, ge=0, le=200, description="PostgreSQL: connections serve may open on top of the pool "
        "in a burst, closed again when returned")
    port: int = Field(3000, description="the HTTP port serve listens on")
    serve_processes: int = Field(
        1, ge=1, le=64, description="worker processes serve answers HTTP from, on one port, "
        "each a whole bot with its own database pool (more cores for a burst; see README)")
    public_url: str | None = Field(
        None, description="where serve is reached from outside (https://launchbot.example.gov); "
        "/launch-request calendar links its feed there")
    review_channel: str | None = Field(
        None, description="channel ID for review cards; needed by serve")
    manifest_channel: str | None = Field(
        None, description="channel ID for the deploy-day manifest (unset: not posted)")
    support_channel: str | None = Field(
        None, description="channel ID for support ticket cards (unset: REVIEW_CHANNEL)")
    digest_channel: str | None = Field(
        None, description="channel ID for the weekly digest and cutoff notice (unset: not "
        "posted)")
    reviewer_group: str | None = Field(
        None, description="user group ID (S…) of the reviewers and support staff")
    reviewer_ids: Annotated[frozenset[str], NoDecode] = Field(
        frozenset(), description="comma-separated user IDs of reviewers, beside REVIEWER_GROUP")
    timezone: str = Field("America/New_York", description="the deploy calendar's time zone")
    deploy_weekdays: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset({3}), description="deploy weekdays, e.g. THU or TUE,THU",
        json_schema_extra={"shown_default": "THU"})
    extra_closures: Annotated[dict[date, str], NoDecode] = Field(
        default_factory=dict, description="operator closures: "
        "2026-12-24=Christmas Eve closure,2026-12-31")
    inauguration_day: bool = Field(
        False, description="treat Inauguration Day (DC area, 5 U.S.C. 6103(c)) as a holiday")
    production_domain: str | None = Field(
        None, description="the IdP's production domain, named in approval and deployed DMs "
        "(endpoint paths stay as in the sandbox)")
    production_certificates_url: str | None = Field(
        None, description="where partners find the production IdP certificates, linked in "
        "approval and deployed DMs")
    retention_days: int = Field(
        90, description="days to keep processed Slack event IDs, delivered outbox messages "
        "and job claims (audit events, requests, tickets and decisions are kept forever)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="the bot's log level (libraries log at WARNING unless DEBUG)")
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line per record; json: one JSON object per "
        "line")
    expedited_requests: bool = Field(
        True, description="partners may ask for a deploy day inside the cutoff with a "
        "justification (two reviewers approve); false: the lead time is always an error")
    url_probes: bool = Field(
        True, description="probe a filed request's production URLs (DNS, HTTPS, certificate, "
        "redirects): advice on its card")
    url_probe_timeout: float = Field(
        5.0, gt=0, le=60, description="seconds a URL probe waits to connect or for an answer")
    url_probe_concurrency: int = Field(
        8, ge=1, le=64, description="URL probes running at once")
    url_probe_ca_file: str | None = Field(
        None, description="a PEM file of the CAs URL probes trust (unset: the bundled ones)")
    url_probe_allow_loopback: bool = Field(
        False, description="tests only: lets URL probes reach 127.0.0.1; never in production")

    slack_bot_token_file: Path | None = _file_field("slack_bot_token")
    slack_signing_secret_file: Path | None = _file_field(
        "slack_signing_secret")
    slack_app_token_file: Path | None = _file_field("slack_app_token")
    database_url_file: Path | None = _file_field("database_url")

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        # The scheduler looks back 8 days (and 36 hours of grace): its claims must outlive that.
        if value < 14:
            raise ValueError(f"{value}: keep at least 14 days")
        return value

    @field_validator(*TEXT_PARSERS, mode="before")
    @classmethod
    def _parse_text(cls, value: object, info: ValidationInfo) -> object:
        """A setting given as text (the environment's) parsed into its type; any other value
        (a default, a test's keyword argument) is taken as is."""
        return TEXT_PARSERS[str(info.field_name)](value) if isinstance(value, str) else value

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

    @field_validator(*CHECKS)
    @classmethod
    def _check(cls, value: Any, info: ValidationInfo) -> Any:
        return CHECKS[str(info.field_name)](value)

    @field_validator(*(f"{name}_file" for name in FILE_SETTINGS))
    @classmethod
    def _one_source(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        """NAME_FILE must name a readable, non-empty file, and NAME must not be set too."""
        if path is None:
            return None
        name = str(info.field_name).removesuffix("_file")
        if info.data.get(name) not in (None, cls.model_fields[name].default):
            raise ValueError(f"{name.upper()} and {name.upper()}_FILE are both set; set one "
                             "of them")
        content = _read_secret_file(path)
        if name == "database_url":
            check_database_url(content)
        return path

    @model_validator(mode="after")
    def _read_files(self) -> Settings:
        """NAME_FILE: the value is the file's content (a trailing newline dropped)."""
        for name in FILE_SETTINGS:
            path: Path | None = getattr(self, f"{name}_file")
            if path is not None:
                value = _read_secret_file(path)
                setattr(self, name, value if name == "database_url" else SecretStr(value))
        return self

    def calendar(self) -> DeployCalendar:
        return DeployCalendar(weekdays=self.deploy_weekdays, closures=self.extra_closures,
                              inauguration_day=self.inauguration_day, timezone=self.timezone,
                              expedite=self.expedited_requests)


def error_line(err: Any) -> str:
    """One refusal of Settings (one item of `ValidationError.errors()`) as `NAME: what`."""
    name = str(err["loc"][0]).upper() if err.get("loc") else "settings"
    message = str(err.get("ctx", {}).get("error") or err["msg"])
    return f"{name}: {' '.join(message.split())}"


def describe(exc: ValidationError) -> str:
    """A refusal of Settings as one line: each bad setting by its environment name."""
    return "; ".join(dict.fromkeys(error_line(err) for err in exc.errors()))


def _read_secret_file(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SECRET_FILE:
            raise ValueError(f"{path} is larger than {MAX_SECRET_FILE} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ValueError(f"cannot read {path}: {reason}") from None
    value = text.rstrip("\r\n")
    if not value.strip():
        raise ValueError(f"{path} is empty")
    return value
