"""Read use cases: one request, a team's list, the reviewer queue, the weekly digest counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.kernel.actors import Actor
from bot.requests import queries
from bot.requests.records import RequestRecord
from bot.requests.transitions import load_visible


def get_request(session: Session, request: int | str, *, actor: Actor) -> RequestRecord:
    """A request the actor may see (a partner: their team's; a reviewer: any), else NotFound."""
    return RequestRecord.of(load_visible(session, request, actor))


def team_requests(session: Session, *, actor: Actor, limit: int = 50) -> list[RequestRecord]:
    """The actor's team's requests, newest first."""
    return [RequestRecord.of_row(r) for r in queries.team_requests(session, actor.teams,
                                                                   limit=limit)]


def review_queue(session: Session, *, limit: int = 50) -> list[RequestRecord]:
    """Undecided requests, oldest first."""
    return [RequestRecord.of_row(r) for r in queries.review_queue_rows(session, limit=limit)]


@dataclass(frozen=True)
class DigestCounts:
    by_state: dict[str, int]
    new_this_week: int
    since: datetime


def digest_counts(session: Session, *, now: datetime,
                  window: timedelta = timedelta(days=7)) -> DigestCounts:
    since = now - window
    by_state, created = queries.digest_counts(session, since)
    return DigestCounts(by_state=by_state, new_this_week=created, since=since)
