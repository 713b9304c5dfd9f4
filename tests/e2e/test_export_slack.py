"""`/launch-request export`: a reviewer gets the CSV as a file in their DM (files_upload_v2
through the fake's upload URL); a partner is refused; bad arguments are one line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from bot.exports import TABLES
from bot.store.db import Store
from tests.e2e.test_details import REVIEWER_ACTOR, _file
from tests.e2e.test_launch_flow import (
    AGENCY,
    IDP,
    PARTNER,
    REVIEWER,
    World,
    eventually,
    world_on,
)


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with world_on(db) as world:
        yield world


def test_reviewer_gets_the_csv_in_a_dm(world: World) -> None:
    from bot.requests import approve

    record = _file(world)
    with world.bot.runtime.store.unit_of_work() as s:
        approve(s, record.id, actor=REVIEWER_ACTOR, now=record.submitted_at)
    answer = world.sender.slash_command("/launch-request", "export decisions --since 2026-11-01",
                                        user_id=REVIEWER, team_id=IDP)
    assert "Exporting decisions since 2026-11-01" in answer.text
    [upload] = eventually(lambda: world.slack.uploaded(REVIEWER))
    assert upload["name"] == "launchbot-decisions-2026-11-25.csv"
    rows = list(csv.DictReader(io.StringIO(upload["content"].decode())))
    assert list(rows[0]) == list(TABLES["decisions"].columns)
    assert [(r["request_id"], r["decision"], r["decided_by"]) for r in rows] == [
        (record.public_id, "approve", REVIEWER)]
    shared = world.slack.messages_in(upload["shared_to"])[-1]
    assert shared["text"].startswith("1 record of decisions")
    assert not world.slack.errors()


def test_partners_cannot_export_and_bad_arguments_say_why(world: World) -> None:
    refused = world.sender.slash_command("/launch-request", "export", user_id=PARTNER,
                                         team_id=AGENCY)
    assert "Only reviewers can export" in refused.text
    bad = world.sender.slash_command("/launch-request", "export requests --since yesterday",
                                     user_id=REVIEWER, team_id=IDP)
    assert "`yesterday` is not a date (YYYY-MM-DD)" in bad.text
    assert not world.slack.calls_to("files.getUploadURLExternal")
