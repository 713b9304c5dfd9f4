"""Settings from the environment (pydantic-settings). Secrets are SecretStr: never logged."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.calendar import DeployCalendar, parse_closures, parse_weekdays

DEFAULT_DATABASE_URL = "sqlite:///launchbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    # Where `launchbot serve` is reached from outside (https://launchbot.example.gov): the
    # calendar answer links the feed there. Unset: the link is left out.
    public_url: str | None = None
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

    @field_validator("extra_closures", mode="before")
    @classmethod
    def _closures(cls, value: object) -> object:
        return parse_closures(value) if isinstance(value, str) else value

    def calendar(self) -> DeployCalendar:
        return DeployCalendar(weekdays=self.deploy_weekdays, closures=self.extra_closures,
                              inauguration_day=self.inauguration_day, timezone=self.timezone)
