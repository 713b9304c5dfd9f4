"""ISS-UNIQUE under a burst: the rule reads, then the request is inserted, so launches of one
issuer filed at the same instant could all pass it. A partial unique index
(uq_requests_open_launch_issuer) keeps one open launch per issuer, and the losers hear the
rule's own ISS-UNIQUE on `issuer`, with nothing of theirs written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import URL, MetaData, Table, func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from bot.calendar import DeployCalendar
from bot.models import Report
from bot.requests import (
    RequestRecord,
    ValidationFailed,
    approve,
    mark_deployed,
    queries,
    reject,
    request_changes,
    resubmit,
    submit,
    withdraw,
)
from bot.store.db import Store, make_engine
from bot.store.migrate import current_revision, downgrade, upgrade
from bot.store.models import (
    OPEN_STATES,
    Attachment,
    AuditEvent,
    OutboxMessage,
    Request,
    RequestState,
)

from .conftest import LAUNCH_FILES, NOW, PARTNER, REVIEWER, example_files

LATER = NOW + timedelta(hours=2)
ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:benefits"  # examples/launch-oidc.yaml
OTHER_ISSUER = "urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:claims"
INDEX = "uq_requests_open_launch_issuer"
WRITTEN = (Request, Attachment, AuditEvent, OutboxMessage)


def _counts(db: Store) -> dict[str, int]:
    with db.reader() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) or 0 for m in WRITTEN}


def _issuer_clash(report: Report) -> bool:
    return any(f.rule == "ISS-UNIQUE" and f.field == "issuer" for f in report.errors)


def _stale_open_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loser of a race, made deterministic: its first read of the open requests' issuers
    (with the production ones) ran just before the winner committed and missed it; later reads
    see the database as it is."""
    real = queries.issuers_in_use
    calls: list[int] = []

    def stale(*args: Any, **kwargs: Any) -> tuple[frozenset[str], frozenset[str]]:
        calls.append(1)
        known, held = real(*args, **kwargs)
        return (known, frozenset()) if len(calls) == 1 else (known, held)

    monkeypatch.setattr(queries, "issuers_in_use", stale)


@pytest.fixture
def stale_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """ISS-UNIQUE's read of open requests missed the winner."""
    _stale_open_requests(monkeypatch)


# --- the index itself -------------------------------------------------------------------------

def _row(state: str, *, kind: str = "launch", issuer: str | None = ISSUER) -> Request:
    return Request(kind=kind, state=state, version=1, issuer=issuer, requester_user_id="U0P",
                   requester_team_id="T0A", submitted={"kind": kind}, findings=[], slip_count=0,
                   submitted_at=NOW, created_at=NOW, updated_at=NOW)


def _insert(db: Store, *rows: Request) -> None:
    with db.unit_of_work() as s:
        s.add_all(rows)


@pytest.mark.parametrize("state", list(RequestState))
def test_the_database_holds_one_open_launch_per_issuer(db: Store, state: RequestState) -> None:
    """Exactly the states the rule reads as holding an issuer (OPEN_STATES) are unique."""
    _insert(db, _row(state))
    if state in OPEN_STATES:
        with pytest.raises(IntegrityError, match=rf"{INDEX}|requests\.issuer"):
            _insert(db, _row(state))
        assert _counts(db)["Request"] == 1
    else:  # withdrawn, rejected, deployed: the issuer is free again (as far as requests go)
        _insert(db, _row(state))
        assert _counts(db)["Request"] == 2


def test_the_index_leaves_changes_staging_and_missing_issuers_alone(db: Store) -> None:
    # ISS-UNIQUE asks nothing of these: several changes to one integration may be open, a
    # launch may be open beside a staging request, and NULL issuers never collide.
    _insert(db, _row("submitted"), _row("submitted", kind="change"),
            _row("approved", kind="change"), _row("submitted", kind="staging"),
            _row("submitted", kind="staging"), _row("submitted", issuer=None),
            _row("in_review", issuer=None))
    assert _counts(db)["Request"] == 7


# --- submit and resubmit ----------------------------------------------------------------------

def test_launches_of_one_issuer_filed_at_once(db: Store, cal: DeployCalendar,
                                              launch_data: dict[str, Any]) -> None:
    files = example_files(*LAUNCH_FILES)
    barrier = threading.Barrier(20)
    filed: list[RequestRecord] = []
    refused: list[ValidationFailed] = []
    errors: list[BaseException] = []

    def partner(n: int) -> None:
        form = {**launch_data, "friendly_name": f"Benefits Portal {n}"}  # 20 different forms
        barrier.wait()
        try:
            with db.unit_of_work() as s:
                filed.append(submit(s, form, actor=PARTNER, now=NOW, calendar=cal,
                                    files=files, idempotency_key=f"view-{n}"))
        except ValidationFailed as exc:
            refused.append(exc)
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=partner, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(filed) == 1 and len(refused) == 19
    assert all(_issuer_clash(exc.report) for exc in refused)
    # Only the winner's rows: its request, two files, one audit event, card and DM.
    assert _counts(db) == {"Request": 1, "Attachment": 2, "AuditEvent": 1, "OutboxMessage": 2}
    with db.reader() as s:
        assert set(s.scalars(select(Attachment.request_id))) == {filed[0].id}
        assert set(s.scalars(select(OutboxMessage.request_id))) == {filed[0].id}


@pytest.mark.parametrize("key", [None, "view-second"])
def test_a_launch_the_rule_missed_is_refused_by_the_index(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any], submitted: RequestRecord,
        stale_first_read: None, key: str | None) -> None:
    before = _counts(db)
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, {**launch_data, "friendly_name": "Benefits, again"}, actor=PARTNER, now=NOW,
               calendar=cal, files=example_files(*LAUNCH_FILES), idempotency_key=key)
    assert _issuer_clash(err.value.report)
    assert "already has an open request" in str(err.value.report.errors[0].message)
    assert _counts(db) == before


def test_a_redelivery_racing_still_gets_the_first_request(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    files = example_files(*LAUNCH_FILES)
    with db.unit_of_work() as s:
        first = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal, files=files,
                       idempotency_key="view-123")
    # A redelivery of the same form that judged the form just before the first delivery
    # committed: its INSERT clashes (key and issuer), and it is answered with the first
    # delivery's request, not told ISS-UNIQUE.
    _stale_open_requests(monkeypatch)
    with db.unit_of_work() as s:
        again = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal, files=files,
                       idempotency_key="view-123")
    assert again.id == first.id
    assert _counts(db) == {"Request": 1, "Attachment": 2, "AuditEvent": 1, "OutboxMessage": 2}


def test_a_resubmission_taking_a_held_issuer_is_refused(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any], submitted: RequestRecord,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with db.unit_of_work() as s:
        request_changes(s, submitted.id, actor=REVIEWER, now=LATER, comment="wrong issuer")
        other = submit(s, {**launch_data, "issuer": OTHER_ISSUER}, actor=PARTNER, now=NOW,
                       calendar=cal, files=example_files(*LAUNCH_FILES))
    before = _counts(db)
    _stale_open_requests(monkeypatch)
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        resubmit(s, submitted.id, {**launch_data, "issuer": OTHER_ISSUER}, actor=PARTNER,
                 now=LATER, calendar=cal)
    assert _issuer_clash(err.value.report)
    assert _counts(db) == before
    with db.reader() as s:
        row = s.get(Request, submitted.id)
        assert row is not None
        assert (row.state, row.issuer, row.version) == ("changes_requested", ISSUER, 2)
        assert s.get(Request, other.id).state == "submitted"  # type: ignore[union-attr]


def _withdrawn(s: Any, record: RequestRecord) -> None:
    withdraw(s, record.id, actor=PARTNER, now=LATER)


def _rejected(s: Any, record: RequestRecord) -> None:
    reject(s, record.id, actor=REVIEWER, now=LATER, reason="duplicate")


@pytest.mark.parametrize("close", [_withdrawn, _rejected], ids=["withdrawn", "rejected"])
def test_a_closed_launch_frees_its_issuer(db: Store, cal: DeployCalendar,
                                          launch_data: dict[str, Any],
                                          submitted: RequestRecord,
                                          close: Callable[[Any, RequestRecord], None]) -> None:
    with db.unit_of_work() as s:
        close(s, submitted)
    with db.unit_of_work() as s:
        again = submit(s, launch_data, actor=PARTNER, now=LATER, calendar=cal,
                       files=example_files(*LAUNCH_FILES), idempotency_key="view-again")
    assert again.id != submitted.id and again.state == "submitted"


def test_a_deployed_launch_keeps_its_issuer_as_an_integration(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any],
        submitted: RequestRecord) -> None:
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
        mark_deployed(s, submitted.id, actor=REVIEWER, now=LATER)
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, launch_data, actor=PARTNER, now=LATER, calendar=cal,
               files=example_files(*LAUNCH_FILES))
    assert _issuer_clash(err.value.report)
    assert "production integration" in err.value.report.errors[0].message


def test_a_launch_racing_the_deploy_of_its_issuer_is_refused(
        db: Store, backend: str, cal: DeployCalendar, launch_data: dict[str, Any],
        submitted: RequestRecord, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deploy commits right after the launch's ISS-UNIQUE read (open requests and
    integrations, read at one instant): the read saw the issuer held, so the launch is refused
    however the deploy falls around it."""
    if backend == "sqlite":
        pytest.skip("SQLite runs one writer at a time: a deploy cannot commit mid-submit")
    with db.unit_of_work() as s:
        approve(s, submitted.id, actor=REVIEWER, now=LATER)
    reads: list[str] = []

    def deploy_after_the_first_read(real: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            reads.append(real.__name__)
            if len(reads) == 1:
                with db.unit_of_work() as other:
                    mark_deployed(other, submitted.id, actor=REVIEWER, now=LATER)
            return result
        return read

    monkeypatch.setattr(queries, "issuers_in_use",
                        deploy_after_the_first_read(queries.issuers_in_use))
    with pytest.raises(ValidationFailed) as err, db.unit_of_work() as s:
        submit(s, launch_data, actor=PARTNER, now=LATER, calendar=cal,
               files=example_files(*LAUNCH_FILES))
    assert reads  # the deploy did commit in the middle of the submission
    assert _issuer_clash(err.value.report)
    assert _counts(db)["Request"] == 1


# --- the migration ----------------------------------------------------------------------------

def test_migration_names_duplicates_then_adds_and_drops_the_index(fresh_url: URL) -> None:
    upgrade(fresh_url, "0002")
    engine = make_engine(fresh_url)
    model = Request.__table__
    table = Table("requests", MetaData(), autoload_with=engine)  # as it was at 0002
    try:
        with engine.begin() as conn:  # two open launches of one issuer the race let in
            for row in (_row("approved"), _row("in_review"), _row("withdrawn")):
                conn.execute(table.insert().values(
                    {c.name: getattr(row, c.key) for c in model.columns
                     if c.name != "id" and c.name in table.c}))
        with pytest.raises(RuntimeError, match=r"LR-1001, LR-1002$") as err:
            upgrade(fresh_url)
        assert ISSUER in str(err.value)
        assert current_revision(engine) == "0002"  # the failed upgrade left nothing half-made

        with engine.begin() as conn:
            conn.execute(update(table).where(table.c.id == 2).values(state="withdrawn"))
        upgrade(fresh_url)
        assert INDEX in {i["name"] for i in inspect(engine).get_indexes("requests")}
        downgrade(fresh_url, "0002")
        assert INDEX not in {i["name"] for i in inspect(engine).get_indexes("requests")}
        assert current_revision(engine) == "0002"
    finally:
        engine.dispose()
