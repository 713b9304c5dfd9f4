"""The deploy calendar where people are: GET /calendar.ics from the running bot, and
`/launch-request calendar` in Slack (fake Slack, signed requests, over HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import httpx
from icalendar import Calendar
from pydantic import SecretStr

from bot.config import Settings
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.slack.server import BackgroundServer, assemble
from bot.store.db import Store
from tests.partner_teams import make_teams

SECRET = "calendar-signing-secret-0123456789"
PARTNER, AGENCY = "U0PARTNER", "T0AGENCY"
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # a Wednesday, ten-thirty in New York


@contextmanager
def running(db: Store, **settings: object) -> Iterator[tuple[str, SignedSender]]:
    with FakeSlack() as slack:
        slack.add_user(PARTNER, name="pat", team_id=AGENCY)
        values: dict[str, object] = {
            "slack_bot_token": SecretStr(slack.bot_token),
            "slack_signing_secret": SecretStr(SECRET), "slack_api_url": slack.url,
            "review_channel": "C0REVIEW", **settings}
        make_teams(db, agency_workspace=AGENCY)  # the partner is on a team: shown the calendar
        bot = assemble(Settings(**values), db, clock=lambda: NOW)  # type: ignore[arg-type]
        with BackgroundServer(bot.wsgi) as server, \
                SignedSender(server.url, SECRET, fake=slack) as sender:
            yield server.url, sender


def feed_events(url: str) -> dict[date, object]:
    response = httpx.get(f"{url}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    return {event.decoded("DTSTART"): event for event in parsed.walk("VEVENT")}


def test_the_feed_is_served_and_follows_the_settings(db: Store) -> None:
    with running(db) as (url, _):
        found = feed_events(url)
        assert httpx.post(f"{url}/calendar.ics").status_code == 405
        head = httpx.head(f"{url}/calendar.ics")
        assert head.status_code == 200 and head.content == b""
    moved = found[date(2026, 11, 30)]
    assert "Thanksgiving Day" in str(moved["DESCRIPTION"])
    assert "submit by Thursday, November 19, 2026" in str(found[date(2026, 12, 3)][
        "DESCRIPTION"])

    # An operator adds a closure and a second deploy weekday: the feed says so.
    with running(db, extra_closures="2026-12-03=Snow closure", deploy_weekdays="TUE,THU") \
            as (url, _):
        changed = feed_events(url)
    assert date(2026, 12, 3) not in changed
    assert "Snow closure" in str(changed[date(2026, 12, 7)]["DESCRIPTION"])
    assert str(changed[date(2026, 12, 7)]["UID"]) == str(found[date(2026, 12, 3)]["UID"])
    assert date(2026, 12, 8) in changed  # a Tuesday


def test_launch_request_calendar_answers_in_slack(db: Store) -> None:
    with running(db, public_url="https://launchbot.example.gov/") as (_, sender):
        text = sender.slash_command("/launch-request", "calendar", user_id=PARTNER,
                                    team_id=AGENCY).text
        more = sender.slash_command("/launch-request", "calendar 12", user_id=PARTNER,
                                    team_id=AGENCY).text
        bad = sender.slash_command("/launch-request", "calendar lots", user_id=PARTNER,
                                   team_id=AGENCY).text
        huge = sender.slash_command("/launch-request", "calendar " + "9" * 5000,
                                    user_id=PARTNER, team_id=AGENCY)
        helped = sender.slash_command("/launch-request", "help", user_id=PARTNER).text
    lines = text.splitlines()
    assert lines[0].startswith("*Next deploy days*") and "America/New_York" in lines[0]
    days = [line for line in lines if line.startswith("• ")]
    assert len(days) == 6
    assert days[0] == ("• *Thursday, November 19, 2026*: cutoff passed (Thu Nov 5); too late "
                       "for push notification URL changes")
    # The deploy moved by Thanksgiving: its cutoff has passed too.
    assert days[1] == ("• *Monday, November 30, 2026* _(moved from Thu Nov 26: Thanksgiving "
                       "Day)_: cutoff passed (Mon Nov 16); too late for push notification URL "
                       "changes")
    assert days[2] == ("• *Thursday, December 3, 2026*: submit by *Thu Nov 19*; too late for "
                       "push notification URL changes")  # its push cutoff was Nov 12
    assert days[3].endswith("submit by *Thu Nov 26*; push notification URL changes by "
                            "Thu Nov 19")
    assert "Subscribe in your calendar app: https://launchbot.example.gov/calendar.ics" in text
    assert len([line for line in more.splitlines() if line.startswith("• ")]) == 12
    assert "lists up to 26" in bad
    assert huge.status_code == 200 and "lists up to 26" in huge.text
    assert "`/launch-request calendar`" in helped
