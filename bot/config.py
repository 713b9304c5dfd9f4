"""Settings from the environment (pydantic-settings). Secrets are SecretStr: never logged.

This model is the one reference of the settings: `launchbot settings` and the README's table are
printed from its fields (type, default, description), so a setting documented anywhere else
would drift. Every secret can also come from a file named by `NAME_FILE` (container platforms
and systemd credentials mount secrets as files).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.calendar import DeployCalendar, parse_closures, parse_weekdays

DEFAULT_DATABASE_URL = "sqlite:///launchbot.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"

# Settings that may come from `NAME_FILE` instead of `NAME`: the secrets, and the database URL
# (it may carry a password).
FILE_SETTINGS = ("slack_bot_token", "slack_signing_secret", "slack_app_token", "database_url")
MAX_SECRET_FILE = 64 * 1024


def _file_field(name: str) -> Any:
    return Field(default=None, description=f"a file holding {name.upper()} (instead of "
                 f"{name.upper()} itself)", json_schema_extra={"group": "secret files"})


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
    port: int = Field(3000, ge=0, le=65535, description="the HTTP port serve listens on")
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
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="the bot's log level (libraries log at WARNING unless DEBUG)")
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line per record; json: one JSON object per "
        "line")

    slack_bot_token_file: Path | None = _file_field("slack_bot_token")
    slack_signing_secret_file: Path | None = _file_field(
        "slack_signing_secret")
    slack_app_token_file: Path | None = _file_field("slack_app_token")
    database_url_file: Path | None = _file_field("database_url")

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

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

    @field_validator("extra_closures", mode="before")
    @classmethod
    def _closures(cls, value: object) -> object:
        return parse_closures(value) if isinstance(value, str) else value

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
        _read_secret_file(path)
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
                              inauguration_day=self.inauguration_day, timezone=self.timezone)


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
