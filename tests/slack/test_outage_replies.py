"""A read that fails while the database is away says what could not be read (not "nothing you
sent was lost": nothing was sent)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.kernel.actors import Actor
from bot.slack.requests.commands import SUBCOMMANDS

PARTNER = Actor(user_id="U0PARTNER", team_id="T0AGENCY")


class DownStore:
    @contextmanager
    def reader(self) -> Iterator[Any]:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        yield  # pragma: no cover


def test_list_status_and_history_during_an_outage() -> None:
    runtime: Any = SimpleNamespace(store=DownStore())
    listed = SUBCOMMANDS["list"](runtime, PARTNER, [])
    assert listed == ("I couldn't read your team's requests just now: the database is not "
                      "answering. Please try again in a few minutes.")
    assert "could" in str(SUBCOMMANDS["status"](runtime, PARTNER, ["LR-1001"]))
    assert "the history of LR-1001" in str(SUBCOMMANDS["history"](runtime, PARTNER,
                                                                  ["LR-1001"]))
    assert "lost" not in listed
