"""Validations per second of the example launch request, certificate and logo included, on one
core. Target: at least 5,000 per second.

    .venv/bin/python bench/rules.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime
from pathlib import Path

from bot import request_file
from bot.calendar import DeployCalendar
from bot.rules import Context, validate

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "launch-oidc.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    loaded = request_file.load(EXAMPLE)
    calendar = DeployCalendar()
    context = Context(now=datetime(2026, 11, 25, 12, tzinfo=calendar.tz), calendar=calendar,
                      files=loaded.files, unreadable=loaded.unreadable)
    report = validate(loaded.data, context=context)
    assert report.ok, report.findings  # the benchmark measures the real, passing path
    for _ in range(200):  # warm caches (PSL, holidays) before timing
        validate(loaded.data, context=context)
    count, start = 0, time.perf_counter()
    deadline = start + args.seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            validate(loaded.data, context=context)
        count += 100
    elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"rules: {count} validations of {EXAMPLE.name} in {elapsed:.2f} s on one core")
    print(f"rules: {rate:,.0f} validations/s ({1e6 / rate:.0f} µs each); target >= 5,000/s: "
          f"{'met' if rate >= 5000 else 'NOT met'}")


if __name__ == "__main__":
    main()
