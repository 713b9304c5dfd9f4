from __future__ import annotations

import pytest

from bot.calendar import DeployCalendar


@pytest.fixture(scope="module")
def cal() -> DeployCalendar:
    """The default calendar: Thursdays, America/New_York, no extra closures."""
    return DeployCalendar()
