"""The fuzz targets of tests/fuzz at their full counts (at least 10,000 cases in all), and a
table of what ran: cases counted inside each property, failing cases, failed tests, seconds.

    .venv/bin/python bench/fuzz.py              # full run (random: new cases each time)
    .venv/bin/python bench/fuzz.py --mode ci    # the counts CI runs (derandomized)
    .venv/bin/python bench/fuzz.py -k slack     # only the targets whose tests match

Exit status: 0 when every target passed (and, in a full run, at least 10,000 cases ran).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINIMUM_FULL = 10_000


def run(mode: str, keyword: str | None) -> tuple[int, dict[str, dict[str, float]], float]:
    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "tallies.json"
        env = {**os.environ, "LAUNCHBOT_FUZZ": mode, "LAUNCHBOT_FUZZ_REPORT": str(report)}
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "tests/fuzz", *(["-k", keyword] if keyword else [])]
        started = time.perf_counter()
        status = subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode
        elapsed = time.perf_counter() - started
        tallies = json.loads(report.read_text()) if report.exists() else {}
    return status, tallies, elapsed


def table(tallies: dict[str, dict[str, float]]) -> str:
    headers = ("TARGET", "CASES", "FAILING CASES", "FAILED TESTS", "SECONDS")
    rows = [(name, f"{t['cases']:,}", f"{t['failures']:,}", f"{t['failed_tests']:,}",
             f"{t['seconds']:.1f}") for name, t in tallies.items()]
    total = {key: sum(t[key] for t in tallies.values())
             for key in ("cases", "failures", "failed_tests", "seconds")}
    rows.append(("total", f"{total['cases']:,}", f"{total['failures']:,}",
                 f"{total['failed_tests']:,}", f"{total['seconds']:.1f}"))
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths, strict=True)))
             for row in [headers, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("full", "ci"), default="full")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression")
    args = parser.parse_args()
    status, tallies, elapsed = run(args.mode, args.keyword)
    if not tallies:
        print("no fuzz target ran", file=sys.stderr)
        return 1
    print()
    print(table(tallies))
    cases = sum(int(t["cases"]) for t in tallies.values())
    print(f"\n{args.mode} run: {cases:,} cases in {elapsed:.0f} s wall time "
          f"(pytest exit status {status})")
    if args.mode == "full" and not args.keyword and cases < MINIMUM_FULL:
        print(f"fewer than {MINIMUM_FULL:,} cases ran", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
