"""Validations per second of the example launch request, certificate and logo included, on one
core. Target: at least 5,000 per second; with `--compare REV`, at least 2.5x that revision.

    .venv/bin/python bench/rules.py [--seconds 5] [--compare REV [--rounds 4]]

The same example is validated again and again, so what the rules core remembers by content
(parsed certificates and logos, judged URLs, the parsed request) answers most of it. The
"caches cleared" figure empties every bounded cache of the core before each validation (the
per-process tables stay: the Public Suffix List, holidays, compiled patterns): a request seen
for the first time. "A new request each time" changes the description on every validation
(the certificate and logo stay): a stream of different submissions.

`--compare REV` checks REV out in a temporary git worktree and measures both trees in the same
run, in separate processes pinned to the same core, alternating (ABBA) so a change in the
machine's load touches both alike; the figure that matters is the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = 5000
RATIO_TARGET = 2.5


def _content_caches() -> list[Any]:
    """The bounded caches (lru_cache with a maxsize) defined in the rules core's modules: what
    they hold depends on the requests judged. Unbounded ones (functools.cache) and the
    calendar's per-year tables are per-process tables and stay."""
    found = []
    for name, module in list(sys.modules.items()):
        if name != "bot.rules" and not name.startswith("bot.rules."):
            continue
        for value in vars(module).values():
            parameters = getattr(value, "cache_parameters", None)
            if callable(parameters) and parameters()["maxsize"] is not None and \
                    getattr(value, "__module__", "") == name and value not in found:
                found.append(value)
    return found


def measure(root: Path, seconds: float) -> dict[str, float]:
    """Validations per second of the rules core found under `root` (this tree or another)."""
    sys.path.insert(0, str(root))
    from bot import request_file
    from bot.calendar import DeployCalendar
    from bot.rules import Context, validate

    example = root / "examples" / "launch-oidc.yaml"
    loaded = request_file.load(example)
    calendar = DeployCalendar()
    context = Context(now=datetime(2026, 11, 25, 12, tzinfo=calendar.tz), calendar=calendar,
                      files=loaded.files, unreadable=loaded.unreadable)
    report = validate(loaded.data, context=context)
    assert report.ok, report.findings  # the benchmark measures the real, passing path
    for _ in range(200):  # warm caches (PSL, holidays) before timing
        validate(loaded.data, context=context)
    count, start = 0, time.perf_counter()
    deadline = start + seconds
    cpu = time.process_time()
    while time.perf_counter() < deadline:
        for _ in range(100):
            validate(loaded.data, context=context)
        count += 100
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    caches = _content_caches()
    cold, cold_start = 0, time.perf_counter()
    deadline = cold_start + seconds / 3
    while time.perf_counter() < deadline:
        for _ in range(10):
            for cache in caches:
                cache.cache_clear()
            validate(loaded.data, context=context)
        cold += 10
    cold_elapsed = time.perf_counter() - cold_start
    # A new request each time (its description differs), with the files already seen: what a
    # stream of different submissions with the usual certificate and logo costs.
    fresh, fresh_start = 0, time.perf_counter()
    deadline = fresh_start + seconds / 3
    while time.perf_counter() < deadline:
        for _ in range(10):
            fresh += 1
            validate({**loaded.data, "description": f"Request {fresh}."}, context=context)
    return {"count": count, "elapsed": elapsed, "cpu": cpu, "cold": cold,
            "cold_elapsed": cold_elapsed, "caches": len(caches), "fresh": fresh,
            "fresh_elapsed": time.perf_counter() - fresh_start}


def _pin() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core


def _in_process(root: Path, seconds: float) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--seconds", str(seconds), "--root",
                          str(root), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def compare(rev: str, seconds: float, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="launchbot-rules-") as tmp:
        other = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(other),
                        rev], check=True)
        try:
            keys = ("count", "elapsed", "cpu", "cold", "cold_elapsed", "fresh", "fresh_elapsed")
            totals = {"this tree": [0.0] * len(keys), rev: [0.0] * len(keys)}
            for i in range(rounds):
                order = [("this tree", ROOT), (rev, other)]
                for label, root in order if i % 2 == 0 else reversed(order):
                    got = _in_process(root, seconds)
                    for j, key in enumerate(keys):
                        totals[label][j] += got[key]
                    print(f"  round {i + 1}: {label:>10}: {got['count'] / got['elapsed']:,.0f} "
                          f"validations/s; new request each time: "
                          f"{got['fresh'] / got['fresh_elapsed']:,.0f}/s; caches cleared: "
                          f"{got['cold'] / got['cold_elapsed']:,.0f}/s ({got['caches']} caches)")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                            str(other)], check=False)
    rates = {label: t[0] / t[1] for label, t in totals.items()}
    cpu_rates = {label: t[0] / t[2] for label, t in totals.items()}
    cold_rates = {label: t[3] / t[4] for label, t in totals.items()}
    fresh_rates = {label: t[5] / t[6] for label, t in totals.items()}
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label in totals:
        print(f"rules ({label}): {rates[label]:,.0f} validations/s wall "
              f"({1e6 / rates[label]:.0f} µs each), {cpu_rates[label]:,.0f}/s of CPU time; "
              f"a new request each time: {fresh_rates[label]:,.0f}/s "
              f"({1e6 / fresh_rates[label]:.0f} µs each); caches cleared before each: "
              f"{cold_rates[label]:,.0f}/s ({1e6 / cold_rates[label]:.0f} µs each)")
    ratio = rates["this tree"] / rates[rev]
    cpu_ratio = cpu_rates["this tree"] / cpu_rates[rev]
    cold_ratio = cold_rates["this tree"] / cold_rates[rev]
    fresh_ratio = fresh_rates["this tree"] / fresh_rates[rev]
    print(f"rules: this tree / {rev}: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU time "
          f"(target >= {RATIO_TARGET}x): {'met' if ratio >= RATIO_TARGET else 'NOT met'}; "
          f"a new request each time: {fresh_ratio:.2f}x; caches cleared: {cold_ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--compare", metavar="REV",
                        help="also measure this git revision, in the same run")
    parser.add_argument("--rounds", type=int, default=4,
                        help="with --compare: measurements per tree (default 4)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _pin()
    if args.compare:
        compare(args.compare, args.seconds, args.rounds)
        return
    got = measure(args.root, args.seconds)
    if args.json:
        print(json.dumps(got))
        return
    rate = got["count"] / got["elapsed"]
    cold = got["cold"] / got["cold_elapsed"]
    fresh = got["fresh"] / got["fresh_elapsed"]
    print(f"rules: {got['count']:.0f} validations of launch-oidc.yaml in "
          f"{got['elapsed']:.2f} s on one core (load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    print(f"rules: {rate:,.0f} validations/s ({1e6 / rate:.0f} µs each); target >= "
          f"{TARGET:,}/s: {'met' if rate >= TARGET else 'NOT met'}")
    print(f"rules: a new request each time (the files already seen): {fresh:,.0f}/s "
          f"({1e6 / fresh:.0f} µs each)")
    print(f"rules: with the {got['caches']} content caches cleared before each validation: "
          f"{cold:,.0f}/s ({1e6 / cold:.0f} µs each)")


if __name__ == "__main__":
    main()
