"""The lifecycle kernel: how any record with states (a request, a support ticket, ...) is
loaded by its public ID and changed.

A change is one guarded transition: a conditional UPDATE naming the state and version that
were read (of any number of concurrent callers exactly one changes the row; the others re-read
it and are told why not), the audit event, and the outbox messages that report it, all in the
caller's transaction. Who may act is checked before (bot.kernel.access)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    Conflict,
    InvalidTransition,
    NotFound,
)
from bot.kernel.ids import PublicIds
from bot.store.outbox import enqueue_many


class Stateful(Protocol):
    """What the kernel needs of a record's table: `state`, `version` and who owns it."""

    id: Any
    state: Any
    version: Any
    updated_at: Any
    requester_team_id: Any  # the requester's workspace (recorded)
    partner_team_id: Any  # the partner team that owns it (bot.kernel.access)

    @property
    def public_id(self) -> str: ...


Row = TypeVar("Row", bound=Stateful)
# One outbox message: its topic and, for a DM, the user it goes to.
Message = tuple[StrEnum, str | None]


@dataclass(frozen=True)
class Lifecycle(Generic[Row]):
    """One kind of record with states.

    model     its table (columns id, state, version, updated_at, partner_team_id)
    ids       its public IDs
    event     its audit-trail table (actor, action, from_state, to_state, detail, at)
    key       the column naming the record in `event` and in the outbox ("request_id", ...)
    refusal   the error for an action on a record in a state that action does not apply to
    """

    model: type[Row]
    ids: PublicIds
    event: type[Any]
    key: str
    refusal: Callable[[Row, str], InvalidTransition]

    def load(self, session: Session, ref: int | str) -> Row:
        """A record by row id or public ID; NotFound otherwise."""
        row_id = ref if isinstance(ref, int) else self.ids.parse(ref)
        row = (session.get(self.model, row_id, populate_existing=True)
               if row_id is not None else None)
        if row is None:
            raise NotFound(ref if isinstance(ref, str) else self.ids.format(ref),
                           noun=self.ids.noun)
        return row

    def transition(self, session: Session, row: Row, *, action: str,
                   expected: Collection[StrEnum], to: StrEnum, actor: Actor, now: datetime,
                   values: Mapping[str, Any] | None = None,
                   detail: Mapping[str, Any] | None = None) -> Row:
        """Move `row` from one of `expected` to `to` (possibly the state it is in: the version
        still moves, so concurrent changes are told apart) with its audit event, or raise the
        error that explains why not."""
        from_state = row.state
        updated = guarded_update(session, row, expected=expected, to=to, now=now, values=values,
                                 refusal=lambda current: self.refusal(current, action))
        session.add(self.event(**{self.key: row.id}, actor=actor.user_id, action=action,
                               from_state=from_state, to_state=to.value,
                               detail=dict(detail or {}), at=now))
        session.flush()
        return updated

    def record_created(self, session: Session, row: Row, *, action: str, actor: Actor,
                       now: datetime, detail: Mapping[str, Any] | None = None) -> None:
        """The audit event of a new record (it had no state before), inserted now."""
        session.execute(insert(self.event.__table__), {
            self.key: row.id, "actor": actor.user_id, "action": action, "from_state": None,
            "to_state": row.state, "detail": dict(detail or {}), "at": now})

    def notify(self, session: Session, row: Row, *, event: str, now: datetime,
               messages: Sequence[Message], data: Mapping[str, Any] | None = None) -> None:
        """The outbox messages reporting `event` on `row`. Keyed by topic, record and version,
        so a retried transaction cannot add them twice."""
        payload = {self.key: row.id, "public_id": row.public_id, "event": event,
                   "state": row.state, "version": row.version, **dict(data or {})}
        enqueue_many(session, [
            {"topic": topic.value, "dedupe_key": f"{topic.value}:{row.id}:v{row.version}",
             "payload": payload, "user_id": user_id, self.key: row.id}
            for topic, user_id in messages], now=now)


def refuse(row: Stateful, action: str, *, decided: bool, by: str | None = None,
           claimed_by: str | None = None) -> InvalidTransition:
    """Why `action` does not apply to `row` as it is: someone decided it already (`by`), a
    claim finds it claimed (`claimed_by`), or it is just not in a state for that."""
    if decided:
        return AlreadyDecided(row.public_id, state=row.state, by=by, action=action)
    if action == "claim" and claimed_by:
        return AlreadyClaimed(row.public_id, by=claimed_by)
    return InvalidTransition(row.public_id, state=row.state, action=action)


def guarded_update(session: Session, row: Row, *, expected: Collection[StrEnum], to: StrEnum,
                   now: datetime, values: Mapping[str, Any] | None,
                   refusal: Callable[[Row], Exception]) -> Row:
    """The one conditional UPDATE every lifecycle changes state with: it names the state and
    version that were read, so of any number of concurrent callers exactly one changes the
    row; the others re-read it and are told what happened (the refusal), or Conflict when it
    is still in an expected state but moved on."""
    model = type(row)
    allowed = {s.value for s in expected}
    if row.state not in allowed:
        raise refusal(row)
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.state.in_(allowed), model.version == row.version)
        .values(state=to.value, version=row.version + 1, updated_at=now, **dict(values or {}))
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        current = session.get(model, row.id, populate_existing=True)
        assert current is not None  # rows with a lifecycle are never deleted
        if current.state not in allowed:
            raise refusal(current)
        raise Conflict(row.public_id)
    updated = session.get(model, row.id, populate_existing=True)
    assert updated is not None
    return updated
