"""Oversized free text: a value longer than the column that keeps it is refused on its field
when the partner files (PostgreSQL enforces VARCHAR lengths; a value that slipped through would
fail a later step, such as Mark deployed, with a database error). Values at the limit go
all the way through on both databases."""

from __future__ import annotations

from typing import Any

import pytest

from bot.calendar import DeployCalendar
from bot.models import ISSUER_MAX, NAME_MAX
from bot.requests import ValidationFailed, approve, mark_deployed, submit
from bot.store.db import Store
from bot.tickets.use_cases import file_ticket

from .conftest import FILED, PARTNER, REVIEWER, TICKET, actor, launch_data, launch_files

ISSUER_HEAD = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:"


def _file(db: Store, data: dict[str, Any]) -> str:
    with db.unit_of_work() as session:
        return submit(session, data, actor=actor(PARTNER), now=FILED,
                      calendar=DeployCalendar(), files=launch_files()).public_id


def _refusal(db: Store, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        _file(db, data)
    return [(f.rule, f.field, f.message) for f in refused.value.report.errors]


@pytest.mark.parametrize("field", ["friendly_name", "agency"])
def test_a_name_longer_than_its_column_is_refused_on_its_field(db: Store, field: str) -> None:
    assert _refusal(db, launch_data(**{field: "N" * (NAME_MAX + 1)})) == [
        ("REQ-TYPE", field, f"{field} is too long: at most {NAME_MAX} characters")]


@pytest.mark.parametrize("field", ["friendly_name", "agency"])
def test_a_name_at_the_limit_is_deployed(db: Store, field: str) -> None:
    public_id = _file(db, launch_data(**{field: "N" * NAME_MAX}))
    with db.unit_of_work() as session:
        approve(session, public_id, actor=actor(REVIEWER), now=FILED)
    with db.unit_of_work() as session:
        assert mark_deployed(session, public_id, actor=actor(REVIEWER),
                             now=FILED).state == "deployed"


def test_an_issuer_longer_than_its_column_is_refused_on_its_field(db: Store) -> None:
    issuer = ISSUER_HEAD + "i" * (ISSUER_MAX + 1 - len(ISSUER_HEAD))
    assert _refusal(db, launch_data(issuer=issuer)) == [
        ("REQ-TYPE", "issuer", f"issuer is too long: at most {ISSUER_MAX} characters")]
    assert _file(db, launch_data(issuer=issuer[:ISSUER_MAX])).startswith("LR-")


def test_a_ticket_issuer_longer_than_its_column_is_refused(db: Store) -> None:
    with pytest.raises(ValidationFailed) as refused, db.unit_of_work() as session:
        file_ticket(session, {**TICKET, "issuer": "i" * (ISSUER_MAX + 1)},
                    actor=actor(PARTNER), now=FILED)
    assert [f.field for f in refused.value.report.errors] == ["issuer"]
