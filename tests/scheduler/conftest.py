"""Shared pieces of the scheduler tests: settings with every channel, requests filed through
the workflow at an injected time, and a simulator that fires the real APScheduler triggers'
times over a span of days against one or several scheduler instances."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.calendar import DeployCalendar
from bot.config import Settings
from bot.requests import Actor, RequestRecord, approve, request_changes, submit
from bot.schedule.jobs import JOBS
from bot.scheduler import Scheduler, trigger_for
from bot.store.db import Store
from bot.store.models import OutboxMessage
from tests.partner_teams import AGENCY_TEAM, OTHER_TEAM, make_teams
from tests.requests.conftest import LAUNCH_FILES, example, example_files

NY = DeployCalendar().tz
MANIFEST, DIGEST, REVIEW, SUPPORT = "C0MANIFEST", "C0DIGEST", "C0REVIEW", "C0SUPPORT"
PARTNER = Actor(user_id="U0PARTNER", team_id="T0AGENCY", teams=frozenset({AGENCY_TEAM}))
OTHER = Actor(user_id="U0OTHER", team_id="T0OTHER", teams=frozenset({OTHER_TEAM}))
REVIEWER = Actor(user_id="U0REVIEW1", team_id="T0IDP", is_reviewer=True)
FILED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday Nov 2, 10:00 in New York


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=NY)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = dict(manifest_channel=MANIFEST, digest_channel=DIGEST,
                                  review_channel=REVIEW, support_channel=SUPPORT)
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def db(db: Store) -> Store:
    """The migrated store, with the agency's team and another agency's."""
    make_teams(db)
    return db


@pytest.fixture(scope="session")
def cal() -> DeployCalendar:
    return DeployCalendar()


def file(db: Store, cal: DeployCalendar, n: int, *, deploy: date, actor: Actor = PARTNER,
         now: datetime = FILED, name: str | None = None) -> RequestRecord:
    """Launch request n (its own issuer), filed at `now` for the deploy day `deploy`."""
    data = example("launch-oidc.yaml")
    data["issuer"] = f"urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:app{n}"
    data["desired_deploy_date"] = deploy.isoformat()
    if name:
        data["friendly_name"] = name
    with db.unit_of_work() as s:
        return submit(s, data, actor=actor, now=now, calendar=cal,
                      files=example_files(*LAUNCH_FILES))


def approved(db: Store, cal: DeployCalendar, n: int, *, deploy: date, **kw: Any
             ) -> RequestRecord:
    record = file(db, cal, n, deploy=deploy, **kw)
    with db.unit_of_work() as s:
        return approve(s, record.id, actor=REVIEWER, now=FILED + timedelta(hours=1))


def changes_asked(db: Store, cal: DeployCalendar, n: int, *, deploy: date, **kw: Any
                  ) -> RequestRecord:
    record = file(db, cal, n, deploy=deploy, **kw)
    with db.unit_of_work() as s:
        return request_changes(s, record.id, actor=REVIEWER, now=FILED + timedelta(hours=1),
                               comment="Use the <@U0BOSS> production IAA.")


class Clock:
    """An injected clock: every scheduler instance of a simulation reads it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fire_times(cal: DeployCalendar, start: datetime, end: datetime,
               names: Sequence[str] | None = None) -> list[tuple[datetime, str]]:
    """Every (time, job) the real APScheduler triggers fire in [start, end), in order."""
    found = []
    for spec in JOBS:
        if names is not None and spec.name not in names:
            continue
        trigger = trigger_for(spec, cal)
        previous = None
        moment = trigger.get_next_fire_time(None, start)
        while moment is not None and moment < end:
            found.append((moment, spec.name))
            previous = moment
            moment = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
    return sorted(found)


@dataclass
class Sim:
    db: Store
    cal: DeployCalendar
    clock: Clock
    schedulers: list[Scheduler]

    def run(self, start: datetime, end: datetime,
            actions: dict[datetime, Callable[[], None]] | None = None) -> None:
        """Fire every trigger in [start, end) on every instance at once (threads), and the
        scripted actions at their times."""
        pending = sorted((actions or {}).items())
        for moment, name in fire_times(self.cal, start, end):
            while pending and pending[0][0] <= moment:
                when, act = pending.pop(0)
                self.clock.now = when
                act()
            self.clock.now = moment
            self.tick_all(name)
        for when, act in pending:
            if when < end:
                self.clock.now = when
                act()

    def tick_all(self, name: str) -> None:
        if len(self.schedulers) == 1:
            self.schedulers[0].tick(name)
            return
        barrier = threading.Barrier(len(self.schedulers))
        errors: list[BaseException] = []

        def one(scheduler: Scheduler) -> None:
            try:
                barrier.wait()
                scheduler.tick(name)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=one, args=(s,)) for s in self.schedulers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]


def posts(db: Store, since: datetime) -> list[tuple[str, str, str]]:
    """(local time, topic, where) of every outbox row written from `since` on, in order:
    what Slack would hear (filing and approving, earlier, are not part of it)."""
    with db.reader() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.created_at >= since)
                         .order_by(OutboxMessage.id)).all()
        return [(f"{r.created_at.astimezone(NY):%a %m-%d %H:%M}", r.topic,
                 r.channel or (f"@{r.user_id}" if r.user_id else "card")) for r in rows]


def rows(db: Store, topic: str) -> list[OutboxMessage]:
    """The outbox rows of `topic`, loaded (usable after the session)."""
    with db.unit_of_work() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic)
                              .order_by(OutboxMessage.id)).all())
