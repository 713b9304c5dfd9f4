"""The deploy calendar as an iCalendar feed (RFC 5545) that calendar apps subscribe to.

Pure: built from a DeployCalendar and the time passed in. One all-day event per deploy day, its
cutoffs in the description. An event's UID is the regular weekday it stands for, so when a new
closure moves a deploy day, subscribers see the same event move rather than a second one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration

from bot.calendar.deploy import LEAD_DAYS, PUSH_LEAD_DAYS, DeployCalendar, DeployDay

PAST_DAYS = 28  # recent deploy days stay visible a while
FUTURE_DAYS = 366
REFRESH = timedelta(hours=6)  # how often subscribers are asked to fetch it again
PRODUCT_ID = "-//launchbot//deploy calendar//EN"
UID_DOMAIN = "deploy-calendar.launchbot"


def _long(day: date) -> str:
    return f"{day:%A, %B} {day.day}, {day.year}"


def summary(day: DeployDay) -> str:
    if not day.shifted:
        return "Deploy day"
    return f"Deploy day (moved from {day.regular_date:%a %b} {day.regular_date.day})"


def description(day: DeployDay) -> str:
    lines = [f"Deploys happen by close of business on {_long(day.date)}.",
             f"Cutoff: submit by {_long(day.cutoff)} ({LEAD_DAYS} days' notice).",
             f"Adding or changing a push notification URL: submit by "
             f"{_long(day.cutoff_push_notification)} ({PUSH_LEAD_DAYS} days' notice)."]
    if day.shifted:
        lines.append(f"Moved from {_long(day.regular_date)} ({day.reason or 'closed'}).")
    return "\n".join(lines)


def deploy_feed(calendar: DeployCalendar, now: datetime, *, past_days: int = PAST_DAYS,
                future_days: int = FUTURE_DAYS) -> bytes:
    """The feed of deploy days from `past_days` before `now`'s local date to `future_days`
    after it."""
    today = calendar.local_date(now)
    stamp = now.astimezone(UTC).replace(microsecond=0)
    feed = Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("name", "Deploy days")
    feed.add("x-wr-calname", "Deploy days")
    feed.add("x-wr-timezone", calendar.tz.key)
    feed.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", vDuration(REFRESH))
    for day in calendar.deploy_days(today - timedelta(days=past_days),
                                    until=today + timedelta(days=future_days)):
        event = Event()
        event.add("uid", f"deploy-{day.regular_date.isoformat()}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day.date)
        event.add("dtend", day.date + timedelta(days=1))
        event.add("summary", summary(day))
        event.add("description", description(day))
        event.add("transp", "TRANSPARENT")  # an all-day marker: it does not block anyone's time
        event.add("categories", ["Deploy day", "Moved"] if day.shifted else ["Deploy day"])
        feed.add_component(event)
    return feed.to_ical()
