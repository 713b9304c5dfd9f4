"""Times each fuzz target and, when LAUNCHBOT_FUZZ_REPORT names a file, writes the tallies
there at the end of the session (bench/fuzz.py prints them)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from tests.fuzz.budget import TALLIES, add_time, now

REPORT_ENV = "LAUNCHBOT_FUZZ_REPORT"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    target = getattr(getattr(item, "obj", None), "_fuzz_target", None)
    started = now()
    outcome = yield
    if target is not None:
        add_time(target, now() - started, failed=outcome.excinfo is not None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get(REPORT_ENV)
    if path and TALLIES:
        Path(path).write_text(json.dumps({name: asdict(t) for name, t in TALLIES.items()},
                                         indent=2))
