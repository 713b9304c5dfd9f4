"""Days the federal government is often closed by executive order, though no law makes them
holidays: a deploy day on one is flagged "often closed by executive order: confirm", so an
operator remembers to add the closure to EXTRA_CLOSURES once the order is out (orders come days
before, too late for the cutoffs)."""

from __future__ import annotations

from datetime import date

# (month, day): what the day is. Christmas Eve has been closed by executive order in most
# recent years; the day after Christmas in several.
OFTEN_CLOSED = {(12, 24): "Christmas Eve", (12, 26): "the day after Christmas"}
NOTE = "often closed by executive order: confirm"


def often_closed(day: date) -> str | None:
    """'Christmas Eve: often closed by executive order: confirm' for such a day, else None."""
    name = OFTEN_CLOSED.get((day.month, day.day))
    return f"{name}: {NOTE}" if name else None
