"""The federal deploy calendar: holidays, business days, deploy days and lead time.

Pure: no Slack, database, network or clock; callers pass the time in.
"""

from bot.calendar.deploy import LEAD_DAYS, PUSH_LEAD_DAYS, DeployCalendar, DeployDay
from bot.calendar.federal import Holiday
from bot.calendar.parsing import WEEKDAY_NAMES, parse_closures, parse_weekdays

__all__ = [
    "LEAD_DAYS",
    "PUSH_LEAD_DAYS",
    "WEEKDAY_NAMES",
    "DeployCalendar",
    "DeployDay",
    "Holiday",
    "parse_closures",
    "parse_weekdays",
]
