"""The one clipping helper: display-only, says so, never cuts what draws as one."""

from __future__ import annotations

import pytest

from bot.slack.clipping import ELLIPSIS, clip, units
from bot.slack.text import escape


def test_text_that_fits_is_returned_unchanged_without_an_ellipsis() -> None:
    assert clip("x" * 3000, 3000) == "x" * 3000
    assert clip("ends with … already", 19) == "ends with … already"


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("a &amp; b", 6, "a…"),  # not "a &am…"
    ("R&amp;D &lt;prod&gt; done", 17, "R&amp;D &lt;prod…"),  # not "&gt…" / "&g…"
    ("hi <@U0REVIEW> there", 12, "hi…"),
    ("see <https://example.gov/a|the card> now", 30, "see…"),
    ("done :white_check_mark: today", 12, "done…"),
    ("ok 👍🏽 yes", 5, "ok…"),  # skin tone kept with its hand
    ("flags 🇺🇸🇫🇷", 12, "flags 🇺🇸…"),
    ("family 👨\u200d👩\u200d👧 x", 12, "family…"),
    ("cafe\u0301 au lait", 5, "caf…"),
])
def test_a_cut_never_lands_inside_an_entity_mention_shortcode_or_emoji(
        text: str, limit: int, expected: str) -> None:
    clipped = clip(text, limit)
    assert clipped == expected
    assert units(clipped) <= limit


def test_emoji_count_two_utf16_units_so_the_clip_stays_under_the_limit_either_way() -> None:
    text = "😀" * 2000  # 2,000 characters, 4,000 UTF-16 units
    clipped = clip(text, 3000)
    assert clipped.endswith(ELLIPSIS)
    assert units(clipped) <= 3000 and len(clipped) <= 3000


def test_the_note_says_where_the_whole_is() -> None:
    clipped = clip("y" * 5000, 3000, note=" (shortened: the whole is in the thread)")
    assert clipped.endswith("… (shortened: the whole is in the thread)")
    assert units(clipped) == 3000


def test_escaped_partner_text_clipped_anywhere_never_shows_a_broken_entity() -> None:
    text = escape("<R&D> " * 400)
    for limit in range(2, 60):
        clipped = clip(text, limit)
        body = clipped.removesuffix(ELLIPSIS)
        assert body.count("&") == body.count(";"), clipped
