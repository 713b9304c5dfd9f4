"""The details modal's builder: pages within Slack's limits, nothing lost or shortened, changes
item by item, times in the calendar's zone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.devtools.block_limits import problems
from bot.models import Finding, Severity
from bot.requests.history import HistoryEntry
from bot.slack.requests.card import review_card
from bot.slack.requests.details import (
    details_blocks,
    details_view,
    history_message,
    page_of,
    pages,
)
from tests.slack.test_views import NOW, all_text, record

NEW_YORK = ZoneInfo("America/New_York")
URIS = [f"https://agency.example.gov/{'x' * 1500}/{i}" for i in range(200)]


def test_a_long_request_is_split_into_pages_within_slacks_limits() -> None:
    findings = tuple(Finding(rule=f"RULE-{i}", severity=Severity.warning, field="redirect_uris",
                             message=f"warning number {i}") for i in range(60))
    big = record(submitted={"friendly_name": "Big", "redirect_uris": URIS,
                            "iaa_number": "LGABCFY210001-0001-0000"}, findings=findings)
    blocks = details_blocks(big, [], tz=NEW_YORK, logo=None, certificates=[])
    split = pages(blocks)
    assert len(split) > 1
    views = [details_view(big, blocks, n) for n in range(1, len(split) + 1)]
    for n, view in enumerate(views, 1):
        assert problems(view, "modal") == [], n
        assert view["title"]["text"] == f"LR-1001 · {n}/{len(split)}"
    shown = all_text([v["blocks"] for v in views])
    assert all(uri in shown for uri in URIS) and "RULE-59" in shown
    assert "shortened" not in shown
    # the first page has only Next, the last only Previous
    nav = [[e["value"] for b in v["blocks"] if b["type"] == "actions" for e in b["elements"]]
           for v in views]
    assert nav[0] == ["LR-1001:2"] and nav[-1] == [f"LR-1001:{len(split) - 1}"]
    assert details_view(big, blocks, 999)["title"]["text"].endswith(f"{len(split)}/{len(split)}")
    assert page_of("LR-1001:3") == ("LR-1001", 3)
    assert page_of("LR-1001") == ("LR-1001", 1)
    assert page_of("LR-1001:x") == ("LR-1001", 1)


def test_a_change_shows_current_and_requested_item_by_item() -> None:
    change = record(kind="change", diff={
        "redirect_uris": {"old": ["https://a.gov/1", "https://a.gov/2"],
                          "new": ["https://a.gov/2", "https://a.gov/3"]},
        "ial": {"old": 1, "new": 2},
        "help_text": {"old": {"sign_in": "blank"}, "new": {"sign_in": "first_time"}}})
    text = all_text(details_blocks(change, [], tz=NEW_YORK, logo=None, certificates=[]))
    assert "added: https://a.gov/3" in text and "removed: https://a.gov/1" in text
    assert "unchanged: 1 item" in text
    assert "current: 1" in text and "requested: 2" in text
    assert "sign in: blank → first_time" in text


def test_partner_text_is_escaped_everywhere() -> None:
    evil = record(submitted={"friendly_name": "<!channel>", "redirect_uris": ["<@U0BOSS>"],
                             "contacts": {"technical": "<!here>"}})
    entries = [HistoryEntry(at=NOW, actor="U0R", action="request_changes",
                            from_state="submitted", to_state="changes_requested",
                            note="<!everyone>")]
    text = all_text(details_blocks(evil, entries, tz=NEW_YORK, logo=None, certificates=[]))
    for raw in ("<!channel>", "<@U0BOSS>", "<!here>", "<!everyone>"):
        assert raw not in text


def test_times_are_in_the_calendars_zone() -> None:
    decided = record(state="approved", decided_by="U0R", decided_at=NOW)
    text = all_text(review_card(decided, logo=None, certificates=[], tz=NEW_YORK))
    assert "Wed, Nov 25, 2026, 10:00 AM EST" in text and "UTC" not in text
    entries = [HistoryEntry(at=NOW + timedelta(days=200), actor="U0R", action="approve",
                            from_state="submitted", to_state="approved")]
    message = history_message(decided, entries, NEW_YORK)
    assert "Sun, Jun 13, 2027, 11:00 AM EDT" in all_text(message["blocks"])
    assert problems(message, "message") == []
