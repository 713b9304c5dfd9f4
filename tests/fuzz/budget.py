"""How many cases each fuzz target runs, and the count of those it really ran.

`LAUNCHBOT_FUZZ=full` (what `bench/fuzz.py` sets) runs every target at its full count; the
default is the CI count, derandomized so a CI run is the same every time. Each target counts
its own executions and failures here, so a report states what ran, not what was asked for.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import HypothesisException

MODE = os.environ.get("LAUNCHBOT_FUZZ", "ci")
FULL = MODE == "full"


@dataclass
class Tally:
    cases: int = 0
    failures: int = 0  # executions that failed (hypothesis replays a failure while shrinking)
    failed_tests: int = 0
    seconds: float = 0.0


TALLIES: dict[str, Tally] = {}


def _counted(target: str, test: Callable[..., None]) -> Callable[..., None]:
    tally = TALLIES.setdefault(target, Tally())

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        tally.cases += 1
        try:
            test(*args, **kwargs)
        except HypothesisException:  # hypothesis's own control flow, not a finding
            raise
        except BaseException:
            tally.failures += 1
            raise
    return run


def fuzz(target: str, *, ci: int, full: int, **strategies: Any) -> Callable[..., Any]:
    """`@given(**strategies)` with `ci` or `full` examples, counted under `target`.

    CI: derandomized and without the example database (the same cases on every run). Full:
    random, so each full run explores new ground."""
    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        wrapped = given(**strategies)(_counted(target, test))
        chosen = settings(
            max_examples=full if FULL else ci, deadline=None, derandomize=not FULL,
            database=None, print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.filter_too_much, HealthCheck.large_base_example],
        )(wrapped)
        chosen._fuzz_target = target  # type: ignore[attr-defined]
        return chosen
    return decorate


def add_time(target: str, seconds: float, *, failed: bool) -> None:
    tally = TALLIES.setdefault(target, Tally())
    tally.seconds += seconds
    tally.failed_tests += failed


def now() -> float:
    return time.perf_counter()
