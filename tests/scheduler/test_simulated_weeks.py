"""Whole weeks with injected time: the real triggers' firing times, the real jobs, the store.
An ordinary week and the Thanksgiving 2026 week produce exactly the expected posts, at the
expected local times, in the expected channels; three replicas post each thing once."""

from __future__ import annotations

from datetime import date

import pytest

from bot.calendar import DeployCalendar
from bot.devtools.block_limits import problems
from bot.requests import queries
from bot.schedule.deploy_day import deploy_from_manifest
from bot.scheduler import Scheduler
from bot.slack.messages import render_outbox
from bot.store.db import Store
from bot.store.models import JobClaim

from .conftest import (
    DIGEST,
    MANIFEST,
    OTHER,
    REVIEW,
    REVIEWER,
    Clock,
    Sim,
    approved,
    changes_asked,
    file,
    local,
    posts,
    rows,
    settings,
)

THU = date(2026, 11, 19)
PARTNER_DM, OTHER_DM = "@U0PARTNER", "@U0OTHER"


def _sim(db: Store, cal: DeployCalendar, start: tuple[int, ...], replicas: int = 1,
         stores: list[Store] | None = None) -> Sim:
    clock = Clock(local(*start))
    schedulers = [Scheduler(store, settings(), calendar=cal, clock=clock, by=f"replica{i}")
                  for i, store in enumerate(stores or [db] * replicas)]
    return Sim(db, cal, clock, schedulers)


def _ordinary_week(db: Store, cal: DeployCalendar) -> dict[str, int]:
    a = approved(db, cal, 1, deploy=THU, name="Alpha <!channel>")
    b = approved(db, cal, 2, deploy=THU, name="Bravo")
    changes_asked(db, cal, 3, deploy=date(2026, 12, 3))
    changes_asked(db, cal, 4, deploy=date(2026, 12, 10))
    changes_asked(db, cal, 5, deploy=date(2026, 12, 3), actor=OTHER)
    d = file(db, cal, 6, deploy=THU)
    return {"a": a.id, "b": b.id, "d": d.id}


ORDINARY_WEEK = [
    ("Mon 11-16 09:00", "weekly_digest", DIGEST),
    ("Mon 11-16 10:00", "reminder_partner", OTHER_DM),
    ("Mon 11-16 10:00", "reminder_partner", PARTNER_DM),
    ("Mon 11-16 10:00", "reminder_review", REVIEW),
    ("Mon 11-16 10:00", "reminder_cutoff", DIGEST),
    ("Tue 11-17 09:00", "deploy_preview", MANIFEST),
    ("Tue 11-17 10:00", "reminder_partner", OTHER_DM),
    ("Tue 11-17 10:00", "reminder_partner", PARTNER_DM),
    ("Tue 11-17 10:00", "reminder_review", REVIEW),
    ("Wed 11-18 10:00", "reminder_partner", OTHER_DM),
    ("Wed 11-18 10:00", "reminder_partner", PARTNER_DM),
    ("Wed 11-18 10:00", "reminder_review", REVIEW),
    ("Thu 11-19 09:00", "deploy_manifest", MANIFEST),
    ("Thu 11-19 10:00", "reminder_partner", OTHER_DM),
    ("Thu 11-19 10:00", "reminder_partner", PARTNER_DM),
    ("Thu 11-19 10:00", "reminder_review", REVIEW),
    # a deployer clicks Mark deployed on Alpha: card, partner, and the manifest in place
    ("Thu 11-19 12:00", "review_card_update", "card"),
    ("Thu 11-19 12:00", "partner_dm", PARTNER_DM),
    ("Thu 11-19 12:00", "deploy_manifest_update", MANIFEST),
    ("Thu 11-19 17:00", "deploy_not_deployed", MANIFEST),
    # the next business morning Bravo slips
    ("Fri 11-20 08:00", "review_card_update", "card"),
    ("Fri 11-20 08:00", "partner_dm", PARTNER_DM),
    ("Fri 11-20 08:00", "deploy_manifest_update", MANIFEST),
    ("Fri 11-20 10:00", "reminder_partner", OTHER_DM),
    ("Fri 11-20 10:00", "reminder_partner", PARTNER_DM),
    ("Fri 11-20 10:00", "reminder_review", REVIEW),
]


def _deploy(db: Store, request_id: int, day: date, clock: Clock) -> None:
    with db.unit_of_work() as s:
        deploy_from_manifest(s, request_id, actor=REVIEWER, now=clock(), day=day)


def test_an_ordinary_week(db: Store, cal: DeployCalendar) -> None:
    ids = _ordinary_week(db, cal)
    sim = _sim(db, cal, (2026, 11, 16))
    sim.run(local(2026, 11, 16), local(2026, 11, 21), actions={
        local(2026, 11, 19, 12): lambda: _deploy(db, ids["a"], THU, sim.clock)})
    assert posts(db, local(2026, 11, 16)) == ORDINARY_WEEK

    with db.reader() as s:
        b = queries.request_by_id(s, ids["b"])
        assert b is not None and (b.state, b.target_deploy_date, b.slip_count) == (
            "approved", date(2026, 11, 30), 1)
    manifest = rows(db, "deploy_manifest")[0]
    assert manifest.payload["ids"] == [ids["a"], ids["b"]]
    preview = rows(db, "deploy_preview")[0].payload
    assert (preview["approved"], preview["pending"]) == ([ids["a"], ids["b"]], [ids["d"]])
    partner = [r for r in rows(db, "reminder_partner") if r.user_id == "U0PARTNER"]
    assert [i["public_id"] for i in partner[0].payload["waiting"]] == ["LR-1003", "LR-1004"]
    assert partner[0].payload["waiting"][0]["cutoff"] == "2026-11-19"
    assert partner[0].payload["waiting"][0]["slips_to"] == "2026-12-10"
    assert partner[-1].payload["waiting"][0]["cutoff"] is None  # Friday: past the cutoff
    digest = rows(db, "weekly_digest")[0].payload
    assert digest["by_state"]["approved"] == 2 and digest["by_state"]["changes_requested"] == 3
    assert [d["date"] for d in digest["deploys"]] == ["2026-11-19", "2026-11-30"]
    assert [i["public_id"] for i in digest["oldest"]] == ["LR-1006"]
    assert [i["public_id"] for i in digest["at_risk"]] == ["LR-1006"]
    assert digest["missed"] == [] and digest["nothing_pending"] is False
    _renders(db)


def _renders(db: Store) -> None:
    """Every scheduled post renders within Slack's limits, partner text escaped."""
    config = settings()
    seen = set()
    with db.reader() as s:
        for row in rows(db, "deploy_manifest") + rows(db, "deploy_preview") + \
                rows(db, "deploy_not_deployed") + rows(db, "reminder_partner") + \
                rows(db, "reminder_review") + rows(db, "reminder_cutoff") + \
                rows(db, "weekly_digest") + rows(db, "deploy_shift_notice"):
            for out in render_outbox(s, row, config):
                assert problems({"text": out.text, "blocks": out.blocks}, "message") == []
                assert "<!channel>" not in str(out.blocks)
                assert (out.channel or out.user_id) in (row.channel, row.user_id)
                seen.add(row.topic)
    assert seen


def test_the_ordinary_week_manifest_shows_what_happened(db: Store, cal: DeployCalendar) -> None:
    ids = _ordinary_week(db, cal)
    sim = _sim(db, cal, (2026, 11, 19))
    sim.run(local(2026, 11, 19), local(2026, 11, 21), actions={
        local(2026, 11, 19, 12): lambda: _deploy(db, ids["a"], THU, sim.clock)})
    with db.reader() as s:
        [manifest] = render_outbox(s, rows(db, "deploy_manifest")[0], settings())
    text = str(manifest.blocks)
    assert "Deployed* by <@U0REVIEW1> at 12:00" in text
    assert "Slipped* to Monday, November 30, 2026" in text
    assert "Alpha &lt;!channel&gt;" in text
    assert "mark_deployed" not in text  # nothing is left to deploy from it
    # after the slip, the count is of what deploys that day: the slipped one is not in it
    assert manifest.text == ("Deploy manifest for Thursday, November 19, 2026: 1 item "
                             "(1 launch), 0 still to deploy, 1 slipped to a later day.")
    assert "*1 to deploy by close of business* (1 launch) · 0 not yet marked deployed · " \
        "1 slipped to a later day." in text


THANKSGIVING_WEEK = [
    ("Mon 11-23 09:00", "weekly_digest", DIGEST),
    ("Mon 11-23 10:00", "reminder_cutoff", DIGEST),
    ("Wed 11-25 09:00", "deploy_preview", MANIFEST),
    ("Thu 11-26 09:00", "deploy_shift_notice", MANIFEST),
    ("Mon 11-30 09:00", "weekly_digest", DIGEST),
    ("Mon 11-30 09:00", "deploy_manifest", MANIFEST),
    ("Mon 11-30 10:00", "reminder_review", REVIEW),
    ("Mon 11-30 10:00", "reminder_cutoff", DIGEST),
    ("Mon 11-30 11:00", "review_card_update", "card"),
    ("Mon 11-30 11:00", "partner_dm", PARTNER_DM),
    ("Mon 11-30 11:00", "deploy_manifest_update", MANIFEST),
    ("Mon 11-30 17:00", "deploy_not_deployed", MANIFEST),
    ("Tue 12-01 08:00", "review_card_update", "card"),
    ("Tue 12-01 08:00", "partner_dm", PARTNER_DM),
    ("Tue 12-01 08:00", "deploy_manifest_update", MANIFEST),
    ("Tue 12-01 09:00", "deploy_preview", MANIFEST),
    ("Tue 12-01 10:00", "reminder_review", REVIEW),
]


def test_the_thanksgiving_2026_week(db: Store, cal: DeployCalendar) -> None:
    monday = date(2026, 11, 30)
    a = approved(db, cal, 1, deploy=monday)
    b = approved(db, cal, 2, deploy=monday)
    d = file(db, cal, 3, deploy=date(2026, 12, 3))
    sim = _sim(db, cal, (2026, 11, 23))
    sim.run(local(2026, 11, 23), local(2026, 12, 2), actions={
        local(2026, 11, 30, 11): lambda: _deploy(db, a.id, monday, sim.clock)})
    assert posts(db, local(2026, 11, 23)) == THANKSGIVING_WEEK

    notice = rows(db, "deploy_shift_notice")[0]
    with db.reader() as s:
        [out] = render_outbox(s, notice, settings())
        b_now = queries.request_by_id(s, b.id)
        assert b_now is not None and b_now.target_deploy_date == date(2026, 12, 3)
    assert out.text == "No deploy today (Thanksgiving Day): moved to Monday, November 30."
    assert out.channel == MANIFEST
    previews = [r.payload for r in rows(db, "deploy_preview")]
    assert [(p["day"], p["approved"], p["pending"]) for p in previews] == [
        ("2026-11-30", [a.id, b.id], []), ("2026-12-03", [b.id], [d.id])]
    assert previews[0]["shifted_from"] == "2026-11-26"
    manifest = rows(db, "deploy_manifest")[0].payload
    assert (manifest["ids"], manifest["reason"]) == ([a.id, b.id], "Thanksgiving Day")
    cutoff = rows(db, "reminder_cutoff")[0].payload
    assert (cutoff["cutoff"], cutoff["deploy"]) == ("2026-11-26", "2026-12-10")
    assert (cutoff["push_cutoff"], cutoff["push_deploy"]) == ("2026-11-26", "2026-12-17")
    with db.reader() as s:
        [cut] = render_outbox(s, rows(db, "reminder_cutoff")[0], settings())
    assert cut.text == ("Submit by Thursday, November 26, 2026 to make the Thursday, "
                        "December 10, 2026 deploy.")
    _renders(db)


@pytest.mark.parametrize("replicas", [3])
def test_replicas_post_each_thing_once(db: Store, cal: DeployCalendar, db_url: object,
                                       replicas: int) -> None:
    """Three scheduler instances, each with its own connection pool, fire at once."""
    ids = _ordinary_week(db, cal)
    stores = [Store.from_url(db_url) for _ in range(replicas)]  # type: ignore[arg-type]
    try:
        sim = _sim(db, cal, (2026, 11, 16), stores=stores)
        sim.run(local(2026, 11, 16), local(2026, 11, 21), actions={
            local(2026, 11, 19, 12): lambda: _deploy(db, ids["a"], THU, sim.clock)})
    finally:
        for store in stores:
            store.dispose()
    assert posts(db, local(2026, 11, 16)) == ORDINARY_WEEK
    with db.reader() as s:
        claims = s.query(JobClaim).all()
        assert len({(c.job, c.period) for c in claims}) == len(claims)
        assert {c.claimed_by for c in claims} <= {f"replica{i}" for i in range(replicas)}


def test_close_of_business_lists_what_is_left(db: Store, cal: DeployCalendar) -> None:
    ids = _ordinary_week(db, cal)
    sim = _sim(db, cal, (2026, 11, 19))
    sim.run(local(2026, 11, 19), local(2026, 11, 19, 17, 30), actions={
        local(2026, 11, 19, 12): lambda: _deploy(db, ids["a"], THU, sim.clock)})
    [row] = rows(db, "deploy_not_deployed")
    assert row.payload["ids"] == [ids["b"]]
    with db.reader() as s:
        [out] = render_outbox(s, row, settings())
    assert out.channel == MANIFEST
    assert out.text == "Close of business: 1 item for Thursday, November 19, 2026 not " \
                       "marked deployed."
    shown = str(out.blocks)
    assert "LR-1002" in shown and "mark_deployed" in shown
    assert "Not marked deployed by Friday, November 20 morning, they slip to Monday, " \
           "November 30, 2026" in shown


def test_the_digest_after_a_slip_shows_the_new_day(db: Store, cal: DeployCalendar) -> None:
    ids = _ordinary_week(db, cal)
    sim = _sim(db, cal, (2026, 11, 16))
    sim.run(local(2026, 11, 16), local(2026, 11, 24), actions={
        local(2026, 11, 19, 12): lambda: _deploy(db, ids["a"], THU, sim.clock)})
    # Bravo slipped on Fri 11-20 from Thu 11-19 to Mon 11-30 (Thanksgiving moves that week)
    after = rows(db, "weekly_digest")[1]
    assert after.created_at.astimezone(cal.tz).date() == date(2026, 11, 23)
    first = after.payload["deploys"][0]
    assert (first["date"], first["shifted_from"]) == ("2026-11-30", "2026-11-26")
    assert [(i["public_id"], i["target"]) for i in first["approved"]] == [
        ("LR-1002", "2026-11-30")]
    with db.reader() as s:
        [out] = render_outbox(s, after, settings())
    assert "• *LR-1002* · Launch request · Bravo · Approved · deploy Monday, November 30, 2026" \
        in str(out.blocks)
