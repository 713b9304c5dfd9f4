"""What a job would post as of a time, without posting or claiming anything: each due slot's
work runs in a transaction that is rolled back, and the outbox rows it wrote are rendered
before they vanish. `launchbot jobs run --preview` prints this; a job's real run goes through
`run_due`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.schedule.slots import JobSpec, ScheduleContext, Slot, plan
from bot.store.db import Store
from bot.store.models import OutboxMessage

# An outbox row -> what it would say, in readable lines (the CLI renders Slack blocks).
Render = Callable[[Session, OutboxMessage], list[str]]


@dataclass
class SlotPreview:
    slot: Slot
    status: str  # would_post | nothing | already | waiting
    detail: str = ""
    posts: list[str] = field(default_factory=list)


class _Discard(Exception):
    """Not an error: raised to roll the preview's transaction back."""


def preview_due(store: Store, ctx: ScheduleContext, specs: Sequence[JobSpec], *,
                now: datetime, render: Render) -> list[SlotPreview]:
    """Every slot of `specs` `run_due` would consider at `now`, with what it would post."""
    with store.reader() as session:
        steps = plan(session, specs, ctx.calendar, now=now, record_missed=False).items
    found: list[SlotPreview] = []
    for spec, slot, decision in steps:
        if not decision.run:
            found.append(SlotPreview(slot, "already" if decision.reason == "already"
                                     else "waiting", decision.reason))
            continue
        found.append(_dry_run(store, spec, slot, ctx, now, render))
    return found


def _dry_run(store: Store, spec: JobSpec, slot: Slot, ctx: ScheduleContext, now: datetime,
             render: Render) -> SlotPreview:
    result = SlotPreview(slot, "nothing")
    try:
        with store.unit_of_work() as session:
            # The outbox is written with plain INSERTs: what this work adds is what lies
            # past the last row, read inside the same (write) transaction.
            last = session.scalar(select(func.max(OutboxMessage.id))) or 0
            spec.work(session, ctx, slot, now)  # no claim: a preview takes nothing
            session.flush()
            added = session.scalars(select(OutboxMessage).where(OutboxMessage.id > last)
                                    .order_by(OutboxMessage.id)).all()
            for message in added:
                result.posts += render(session, message)
            raise _Discard
    except _Discard:
        pass
    if result.posts:
        result.status = "would_post"
    return result
