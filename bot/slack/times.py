"""Times as people read them: in the deploy calendar's time zone (the one deploy dates are in),
with its abbreviation, never bare UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """'Tue, Nov 3, 2026, 10:00 AM EST'."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(tz)
    return f"{local:%a, %b} {local.day}, {local.year}, {local:%I:%M %p %Z}".replace(
        ", 0", ", ")
