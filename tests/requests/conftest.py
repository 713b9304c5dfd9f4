"""Shared pieces of the workflow tests: a fixed clock, the default calendar, actors and the
example requests of examples/ with their files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.calendar import DeployCalendar
from bot.requests import Actor, RequestRecord, submit
from bot.store.db import Store
from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM, make_teams

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Monday 2026-11-02, 10:00 in New York: 14 days' notice makes Thursday 2026-11-19.
NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)

PARTNER = Actor(user_id="U0PARTNER", team_id="T0AGENCY", teams=frozenset({AGENCY_TEAM}))
TEAMMATE = Actor(user_id="U0TEAMMATE", team_id="T0AGENCY", teams=frozenset({AGENCY_TEAM}))
STRANGER = Actor(user_id="U0STRANGER", team_id="T0OTHER", teams=frozenset({OTHER_TEAM}))
REVIEWER = Actor(user_id="U0REVIEW1", team_id="T0IDP", is_reviewer=True)
REVIEWER2 = Actor(user_id="U0REVIEW2", team_id="T0IDP", is_reviewer=True)


def example(name: str) -> dict[str, Any]:
    return yaml.safe_load((EXAMPLES / name).read_text())


def example_files(*names: str) -> dict[str, bytes]:
    return {name: (EXAMPLES / name).read_bytes() for name in names}


LAUNCH_FILES = ("benefits-logo.svg", "benefits-cert.pem")


@pytest.fixture
def db(db: Store) -> Store:
    """The migrated store, with the agency's team and another agency's."""
    make_teams(db)
    return db


@pytest.fixture(scope="session")
def cal() -> DeployCalendar:
    return DeployCalendar()


@pytest.fixture
def launch_data() -> dict[str, Any]:
    return example("launch-oidc.yaml")


@pytest.fixture
def submitted(db: Store, cal: DeployCalendar, launch_data: dict[str, Any]) -> RequestRecord:
    """The example OIDC launch, submitted by PARTNER at NOW."""
    with db.unit_of_work() as s:
        return submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
                      files=example_files(*LAUNCH_FILES))
