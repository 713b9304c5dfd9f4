"""The deploy-day manifest and its renderings, and the digest counts."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from bot.calendar import DeployCalendar
from bot.requests import (
    RequestRecord,
    approve,
    digest_counts,
    import_export,
    manifest_for,
    submit,
)
from bot.requests.integrations import read_export
from bot.requests.manifest import render_csv, render_json, render_text
from bot.store.db import Store

from .conftest import EXAMPLES, NOW, PARTNER, REVIEWER, example

DAY = date(2026, 11, 19)


def _approved_launch_and_change(db: Store, cal: DeployCalendar,
                                submitted: RequestRecord) -> RequestRecord:
    with db.unit_of_work() as s:
        import_export(s, read_export((EXAMPLES / "integrations-export.yaml").read_text()), NOW)
    with db.unit_of_work() as s:
        change = submit(s, example("change-redirects.yaml"), actor=PARTNER, now=NOW,
                        calendar=cal)
        approve(s, submitted.id, actor=REVIEWER, now=NOW)
        approve(s, change.id, actor=REVIEWER, now=NOW)
    return change


def test_manifest_lists_what_is_approved_for_the_day(db: Store, cal: DeployCalendar,
                                                     submitted: RequestRecord) -> None:
    change = _approved_launch_and_change(db, cal, submitted)
    with db.reader() as s:
        items = manifest_for(s, DAY)
        assert manifest_for(s, DAY + timedelta(days=7)) == []
    assert [(i.public_id, i.kind) for i in items] == [
        (submitted.public_id, "launch"), (change.public_id, "change")]
    launch, moved = items
    assert launch.friendly_name == "Benefits Portal" and launch.protocol == "oidc_private_key_jwt"
    assert {a.name for a in launch.attachments} == {"benefits-logo.svg", "benefits-cert.pem"}
    assert launch.approved_by == REVIEWER.user_id
    first = moved.changes[0]
    assert (first.field, first.old, first.new) == ("default_aal", 1, 2)
    # a change names only what changes; the manifest fills in the integration's facts
    assert (moved.friendly_name, moved.protocol, moved.ial) == (
        "Benefits Portal", "oidc_private_key_jwt", 1)

    text = render_text(DAY, items)
    assert text.startswith("Deploy manifest for 2026-11-19 (Thursday): 2 items "
                           "(1 launch, 1 change)\n")
    assert f"approved by {REVIEWER.user_id}" in text  # no name known: the ID
    named = render_text(DAY, items, {REVIEWER.user_id: "Rae Reviewer"})
    assert f"approved by Rae Reviewer ({REVIEWER.user_id})" in named
    assert "default_aal: 1 -> 2" in text
    assert f"sha256 {launch.attachments[0].sha256}" in text

    data = json.loads(render_json(DAY, items))
    assert data["date"] == "2026-11-19"
    assert data["items"][1]["diff"][0] == {"field": "default_aal", "old": 1, "new": 2}
    assert data["items"][0]["attachments"][0]["size"] > 0

    rows = list(csv.DictReader(io.StringIO(render_csv(DAY, items))))
    assert [r["id"] for r in rows] == [submitted.public_id, change.public_id]
    assert json.loads(rows[1]["diff"])["default_aal"] == {"old": 1, "new": 2}


def test_empty_manifest_says_so() -> None:
    assert "nothing to deploy" in render_text(DAY, [])
    assert json.loads(render_json(DAY, [])) == {"date": "2026-11-19", "items": []}
    assert render_csv(DAY, []).count("\n") == 1


def test_digest_counts(db: Store, submitted: RequestRecord) -> None:
    with db.reader() as s:
        counts = digest_counts(s, now=NOW + timedelta(days=1))
        later = digest_counts(s, now=NOW + timedelta(days=8))
    assert counts.by_state["submitted"] == 1 and counts.by_state["approved"] == 0
    assert counts.new_this_week == 1 and later.new_this_week == 0
