"""Judging before the write transaction: `submit` files a judgement made in an earlier read
without running the rules core again, unless the store has changed what the rules were told."""

from __future__ import annotations

from typing import Any

import pytest

import bot.requests.submission as submission
from bot.calendar import DeployCalendar
from bot.requests import ValidationFailed, judge, submit
from bot.store.db import Store

from .conftest import LAUNCH_FILES, NOW, PARTNER, TEAMMATE, example_files


def _judged(db: Store, cal: DeployCalendar, data: dict[str, Any]) -> submission.Judgement:
    with db.reader() as s:
        return judge(s, data, now=NOW, calendar=cal, files=example_files(*LAUNCH_FILES))


def test_a_judgement_still_true_is_filed_without_judging_again(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    judged = _judged(db, cal, launch_data)
    assert judged.report.ok

    def no_rules(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the rules core ran inside the write transaction")

    monkeypatch.setattr(submission, "validate", no_rules)
    with db.unit_of_work() as s:
        record = submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
                        files=example_files(*LAUNCH_FILES), judged=judged)
    assert record.public_id == "LR-1001"
    assert {a.name for a in record.attachments} == set(LAUNCH_FILES)
    assert list(record.findings) == judged.report.findings


def test_a_judgement_the_store_has_overtaken_is_judged_again(
        db: Store, cal: DeployCalendar, launch_data: dict[str, Any]) -> None:
    # Two partners judged the same issuer free; the first files it.
    first, second = _judged(db, cal, launch_data), _judged(db, cal, launch_data)
    with db.unit_of_work() as s:
        submit(s, launch_data, actor=PARTNER, now=NOW, calendar=cal,
               files=example_files(*LAUNCH_FILES), judged=first)
    with pytest.raises(ValidationFailed) as refused, db.unit_of_work() as s:
        submit(s, launch_data, actor=TEAMMATE, now=NOW, calendar=cal,
               files=example_files(*LAUNCH_FILES), judged=second)
    assert "ISS-UNIQUE" in {f.rule for f in refused.value.report.errors}
