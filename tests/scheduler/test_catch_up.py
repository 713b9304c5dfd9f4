"""Downtime, catch-up, missed posts; daylight saving; the timer itself."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.calendar import DeployCalendar
from bot.schedule.jobs import JOBS
from bot.schedule.slots import slots
from bot.scheduler import Scheduler
from bot.store.db import Store
from bot.store.models import JobClaim

from .conftest import (
    MANIFEST,
    PARTNER,
    Clock,
    Sim,
    approved,
    fire_times,
    local,
    posts,
    rows,
    settings,
)

THU = date(2026, 11, 19)


def _scheduler(db: Store, cal: DeployCalendar, clock: Clock, by: str = "one") -> Scheduler:
    return Scheduler(db, settings(), calendar=cal, clock=clock, by=by)


def test_down_from_wednesday_to_friday_catches_up_the_thursday_manifest_once(
        db: Store, cal: DeployCalendar) -> None:
    a = approved(db, cal, 1, deploy=THU)
    b = approved(db, cal, 2, deploy=THU)
    clock = Clock(local(2026, 11, 16))
    Sim(db, cal, clock, [_scheduler(db, cal, clock)]).run(local(2026, 11, 16),
                                                         local(2026, 11, 18, 12))
    # Down from Wednesday noon; two replicas start on Friday at 09:30.
    clock.now = local(2026, 11, 20, 9, 30)
    first = _scheduler(db, cal, clock, "first").catch_up()
    again = _scheduler(db, cal, clock, "second").catch_up()
    done = {(o.slot.job, o.slot.period): o.status for o in first
            if o.status not in ("already", "waiting")}
    assert done == {
        ("manifest", "2026-11-19"): "posted",  # 24.5 h late: within its 36 h grace
        ("reminders", "2026-11-19"): "missed",  # a day-old reminder is not sent late
        ("not_deployed", "2026-11-19"): "missed",
        ("slip", "2026-11-19"): "posted",
        ("tickets", "2026-11-20T09"): "done",
        ("prune", "2026-11-20"): "done",  # 03:30 today: within its grace
    }
    assert {o.status for o in again} <= {"already", "waiting"}
    assert posts(db, local(2026, 11, 18, 13)) == [
        ("Fri 11-20 09:30", "deploy_manifest", MANIFEST),
        ("Fri 11-20 09:30", "review_card_update", "card"),
        ("Fri 11-20 09:30", "partner_dm", f"@{PARTNER.user_id}"),
        ("Fri 11-20 09:30", "review_card_update", "card"),
        ("Fri 11-20 09:30", "partner_dm", f"@{PARTNER.user_id}"),
        ("Fri 11-20 09:30", "deploy_manifest_update", MANIFEST),
    ]
    assert rows(db, "deploy_manifest")[0].payload["ids"] == [a.id, b.id]

    # The next digest says what was missed, once.
    Sim(db, cal, clock, [_scheduler(db, cal, clock)]).run(local(2026, 11, 20, 9, 31),
                                                         local(2026, 12, 1))
    digests = [r.payload for r in rows(db, "weekly_digest")]
    assert [d["week"] for d in digests] == ["2026-W47", "2026-W48", "2026-W49"]
    assert digests[1]["missed"] == [{"job": "reminders", "period": "2026-11-19"},
                                    {"job": "not_deployed", "period": "2026-11-19"}]
    assert digests[2]["missed"] == []


def test_too_late_is_missed_not_posted(db: Store, cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)
    clock = Clock(local(2026, 11, 16))
    Sim(db, cal, clock, [_scheduler(db, cal, clock)]).run(local(2026, 11, 16),
                                                         local(2026, 11, 18, 12))
    clock.now = local(2026, 11, 21, 10)  # Saturday: 49 hours after the manifest's time
    outcomes = _scheduler(db, cal, clock).catch_up()
    assert ("manifest", "2026-11-19", "missed") in {
        (o.slot.job, o.slot.period, o.status) for o in outcomes}
    assert rows(db, "deploy_manifest") == []


def test_a_new_database_reports_nothing_missed(db: Store, cal: DeployCalendar) -> None:
    clock = Clock(local(2026, 11, 20, 9, 30))
    outcomes = _scheduler(db, cal, clock).catch_up()
    assert "missed" not in {o.status for o in outcomes}
    assert ("manifest", "2026-11-19", "posted") in {
        (o.slot.job, o.slot.period, o.status) for o in outcomes}


def test_business_hours_jobs_wait_for_business_hours(db: Store, cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)
    clock = Clock(local(2026, 11, 16, 8))
    _scheduler(db, cal, clock).catch_up()  # the database has run something now
    clock.now = local(2026, 11, 17, 18)  # Tuesday evening: Tuesday's 10:00 run is 8 h late
    outcomes = {(o.slot.job, o.slot.period): o.status
                for o in _scheduler(db, cal, clock).catch_up()}
    assert outcomes[("reminders", "2026-11-17")] == "missed"
    assert outcomes[("reminders", "2026-11-16")] == "missed"


# --- daylight saving -----------------------------------------------------------------------------

def test_daylight_saving_weeks_keep_nine_local(db: Store, cal: DeployCalendar) -> None:
    clock = Clock(local(2026, 3, 2))
    Sim(db, cal, clock, [_scheduler(db, cal, clock)]).run(local(2026, 3, 2), local(2026, 3, 13))
    clock.now = local(2026, 10, 26)
    Sim(db, cal, clock, [_scheduler(db, cal, clock)]).run(local(2026, 10, 26),
                                                         local(2026, 11, 6))
    digests = [(r.created_at.astimezone(UTC).hour, r.created_at.astimezone(cal.tz).hour)
               for r in rows(db, "weekly_digest")]
    manifests = [(r.created_at.astimezone(UTC).hour, r.created_at.astimezone(cal.tz).hour)
                 for r in rows(db, "deploy_manifest")]
    # 09:00 local throughout: 14:00 UTC in EST, 13:00 UTC in EDT.
    assert digests == [(14, 9), (13, 9), (13, 9), (14, 9)]
    assert manifests == [(14, 9), (13, 9), (13, 9), (14, 9)]


def test_the_triggers_fire_when_the_jobs_are_due_across_daylight_saving(
        cal: DeployCalendar) -> None:
    for start in (local(2026, 2, 23), local(2026, 10, 19)):
        end = start + timedelta(weeks=4)
        fired = fire_times(cal, start, end)
        for spec in JOBS:
            due = [s.at for s in slots(spec, cal, start - timedelta(microseconds=1), end)]
            times = [t for t, name in fired if name == spec.name]
            assert set(due) <= set(times), spec.name
            assert all(t.astimezone(cal.tz).time() in spec.times for t in times)
        digest = [t for t, name in fired if name == "digest"]
        assert len({t.astimezone(UTC).hour for t in digest}) == 2  # the offset changed
        assert {t.astimezone(cal.tz).hour for t in digest} == {9}


def test_the_timer_runs_in_the_configured_time_zone(db: Store, cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)
    clock = Clock(local(2026, 11, 19, 9, 5))
    scheduler = Scheduler(db, settings(timezone="America/New_York"), clock=clock, by="timer")
    posted: list[bool] = []
    scheduler.on_posted = lambda: posted.append(True)
    scheduler.start()
    try:
        assert scheduler.running
        deadline = time.monotonic() + 10
        while not posted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert posted, "the start-up catch-up did not run"
        planned = scheduler.scheduled()
        assert set(planned) >= {spec.name for spec in JOBS}
        for spec in JOBS:
            moment = planned[spec.name]
            assert moment is not None and moment.tzinfo is not None
            assert moment.astimezone(cal.tz).time().replace(tzinfo=None) in spec.times
    finally:
        scheduler.stop()
    assert not scheduler.running
    with db.reader() as s:
        claims = s.scalars(select(JobClaim).where(JobClaim.job == "manifest")).all()
        assert [(c.period, c.claimed_by) for c in claims] == [("2026-11-19", "timer")]


class _DownAtFirst(Store):
    """The database refuses the first `failures` write transactions (it is restarting)."""

    def __init__(self, store: Store, failures: int) -> None:
        super().__init__(store.engine)
        self.failures = failures

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        if self.failures:
            self.failures -= 1
            raise OperationalError("INSERT INTO job_claims", {}, Exception("connection refused"))
        with super().unit_of_work() as session:
            yield session


def test_a_post_that_failed_is_made_by_the_next_sweep_without_a_restart(
        db: Store, cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)
    down = _DownAtFirst(db, failures=1)
    scheduler = Scheduler(down, settings(), clock=Clock(local(2026, 11, 19, 9, 5)), by="timer",
                          sweep_seconds=0.2)
    posted: list[bool] = []
    scheduler.on_posted = lambda: posted.append(True)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while not posted and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert down.failures == 0 and posted, "the sweep did not make up the failed post"
    with db.reader() as s:
        claims = s.scalars(select(JobClaim).where(JobClaim.job == "manifest")).all()
        assert [(c.period, c.claimed_by) for c in claims] == [("2026-11-19", "timer")]
