"""URL probe results kept with the submission they probed: they replace the earlier probe
findings and keep the submission's own, write an audit event and one card update, and are
dropped once the request was resubmitted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.calendar import DeployCalendar
from bot.models import Finding, Severity
from bot.requests import RequestRecord, request_changes, resubmit
from bot.requests.probing import record_probe
from bot.requests.queries import audit_trail
from bot.store.db import Store
from bot.store.models import OutboxMessage, Request

from .conftest import NOW, PARTNER, REVIEWER

PROBED = NOW + timedelta(seconds=5)


def _finding(rule: str, severity: Severity = Severity.warning) -> Finding:
    return Finding(rule=rule, severity=severity, field="redirect_uris[0]", message=f"{rule} said")


def _stored(db: Store, record: RequestRecord) -> tuple[list[str], str, int]:
    with db.reader() as s:
        row = s.get(Request, record.id)
        assert row is not None
        return [f["rule"] for f in row.findings], row.state, row.version


def _probe_cards(db: Store) -> list[dict[str, Any]]:
    with db.reader() as s:
        return [m.payload for m in s.scalars(select(OutboxMessage).where(
            OutboxMessage.payload["event"].as_string() == "probed"))]


def test_probe_findings_are_kept_with_the_submissions_own(db: Store,
                                                         submitted: RequestRecord) -> None:
    own, state, version = _stored(db, submitted)
    with db.unit_of_work() as s:
        assert record_probe(s, submitted, findings=[_finding("PROBE-CERT-EXPIRY"),
                                                    _finding("PROBE-OK", Severity.info)],
                            now=PROBED)
    assert _stored(db, submitted) == ([*own, "PROBE-CERT-EXPIRY", "PROBE-OK"], state, version)
    with db.reader() as s:
        event = audit_trail(s, submitted.id)[-1]
        assert (event.actor, event.action, event.from_state, event.to_state) == (
            "launchbot", "url_probe", state, state)
        assert event.detail == {"findings": 2, "warnings": 1} and event.at == PROBED
    assert _probe_cards(db) == [{"request_id": submitted.id, "public_id": "LR-1001",
                                 "event": "probed", "state": state, "version": version}]


def test_a_second_probe_replaces_the_first_ones_findings(db: Store,
                                                        submitted: RequestRecord) -> None:
    own, _, _ = _stored(db, submitted)
    with db.unit_of_work() as s:
        record_probe(s, submitted, findings=[_finding("PROBE-CERT-EXPIRY")], now=PROBED)
    # the record a caller holds may already carry probe findings: they are replaced too
    probed = replace(submitted, findings=(*submitted.findings, _finding("PROBE-CERT-EXPIRY")))
    with db.unit_of_work() as s:
        record_probe(s, probed, findings=[_finding("PROBE-TLS")], now=PROBED)
    assert _stored(db, submitted)[0] == [*own, "PROBE-TLS"]
    assert len(_probe_cards(db)) == 1  # one card update per probed submission


def test_a_probe_of_a_resubmitted_request_is_dropped(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any],
        submitted: RequestRecord) -> None:
    later = NOW + timedelta(hours=1)
    with db.unit_of_work() as s:
        request_changes(s, submitted.id, actor=REVIEWER, now=later, comment="fix it")
        resubmit(s, submitted.id, launch_data, actor=PARTNER, now=later, calendar=cal)
    before = _stored(db, submitted)
    with db.reader() as s:
        events = len(audit_trail(s, submitted.id))
    with db.unit_of_work() as s:
        assert not record_probe(s, submitted, findings=[_finding("PROBE-CERT-EXPIRY")],
                                now=later)
    assert _stored(db, submitted) == before
    with db.reader() as s:
        assert len(audit_trail(s, submitted.id)) == events
    assert _probe_cards(db) == []


def test_a_probe_of_a_request_that_is_gone_is_dropped(db: Store,
                                                     submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        assert not record_probe(s, replace(submitted, id=submitted.id + 1),
                                findings=[_finding("PROBE-OK", Severity.info)], now=PROBED)
    assert _probe_cards(db) == []
