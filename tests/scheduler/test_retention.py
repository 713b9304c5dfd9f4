"""The `prune` job: after RETENTION_DAYS it removes processed Slack event IDs, delivered outbox
messages and old job claims, through the same claims as every job, and keeps everything else:
requests, audit events, decisions, undelivered and failed messages, and a missed post the
digest has not reported yet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select, update

from bot.calendar import DeployCalendar
from bot.scheduler import Scheduler
from bot.store import outbox
from bot.store.claims import claim_job, complete_job, record_event
from bot.store.db import Store
from bot.store.models import AuditEvent, JobClaim, OutboxMessage, ProcessedEvent, Request

from .conftest import FILED, Clock, approved, local, settings

THU = date(2026, 11, 19)


def _count(db: Store, model: type) -> int:
    with db.reader() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_prune_keeps_what_matters_and_removes_what_only_grows(db: Store,
                                                              cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)  # filed and approved on Nov 2: old by Feb
    later = FILED + timedelta(days=80)
    with db.unit_of_work() as s:
        # Every message so far was delivered on Nov 2, but one failed for good and one waits.
        s.execute(update(OutboxMessage).values(status="sent", sent_at=FILED))
        outbox.enqueue(s, topic="test", dedupe_key="failed", now=FILED, channel="C0X")
        outbox.enqueue(s, topic="test", dedupe_key="waiting", now=FILED, channel="C0X")
        s.execute(update(OutboxMessage).where(OutboxMessage.dedupe_key == "failed")
                  .values(status="failed"))
        outbox.enqueue(s, topic="test", dedupe_key="recent", now=later, channel="C0X")
        s.execute(update(OutboxMessage).where(OutboxMessage.dedupe_key == "recent")
                  .values(status="sent", sent_at=later))
        record_event(s, "Ev0OLD", now=FILED)
        record_event(s, "Ev0RECENT", now=later)
        for job, period, status, reported in (("digest", "2026-W45", "done", True),
                                              ("reminders", "2026-11-03", "missed", True),
                                              ("manifest", "2026-11-05", "missed", False)):
            claim_job(s, job, period, by="test", now=FILED, status=status)
            if reported:
                complete_job(s, job, period, now=FILED, status=status)
        claim_job(s, "digest", "2027-W04", by="test", now=later)
    delivered_old = _count(db, OutboxMessage) - 3
    assert delivered_old > 0
    requests, audit = _count(db, Request), _count(db, AuditEvent)

    clock = Clock(local(2027, 2, 5, 3, 30))  # 95 days after Nov 2; the job's time
    outcomes = Scheduler(db, settings(retention_days=90), calendar=cal, clock=clock,
                         by="one").tick("prune")
    ran = [(o.slot.period, o.status) for o in outcomes if o.status != "waiting"]
    assert ran == [("2027-02-05", "done")]  # the days before: the next run covered them
    again = Scheduler(db, settings(retention_days=90), calendar=cal, clock=clock,
                      by="two").tick("prune")
    # A second replica prunes nothing.
    assert [o.status for o in again if o.status != "waiting"] == ["already"]

    with db.reader() as s:
        assert sorted(s.scalars(select(OutboxMessage.dedupe_key))) == [
            "failed", "recent", "waiting"]
        assert list(s.scalars(select(ProcessedEvent.event_id))) == ["Ev0RECENT"]
        assert sorted((c.job, c.period) for c in s.scalars(select(JobClaim))) == [
            ("digest", "2027-W04"), ("manifest", "2026-11-05"), ("prune", "2027-02-05")]
    assert (_count(db, Request), _count(db, AuditEvent)) == (requests, audit)


def test_nothing_is_pruned_before_its_time(db: Store, cal: DeployCalendar) -> None:
    approved(db, cal, 1, deploy=THU)
    with db.unit_of_work() as s:
        s.execute(update(OutboxMessage).values(status="sent", sent_at=FILED))
        record_event(s, "Ev0OLD", now=FILED)
    before = (_count(db, OutboxMessage), _count(db, ProcessedEvent))
    clock = Clock(local(2026, 12, 30, 3, 30))  # 58 days: within the default 90
    Scheduler(db, settings(), calendar=cal, clock=clock).tick("prune")
    assert (_count(db, OutboxMessage), _count(db, ProcessedEvent)) == before


@pytest.mark.parametrize("days", ["0", "7", "-1"])
def test_retention_below_two_weeks_is_refused(days: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_DAYS", days)
    with pytest.raises(ValidationError, match="at least 14 days"):
        settings()
