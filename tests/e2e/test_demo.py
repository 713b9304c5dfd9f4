"""`launchbot demo` as a new user runs it: a subprocess in an empty directory, on the default
SQLite database, twice (the second run must work on the first one's database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAUNCHBOT = Path(sys.executable).with_name("launchbot")


def test_demo_walks_the_whole_flow_twice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    for expected_id in ("LR-1001", "LR-1002"):
        result = subprocess.run([str(LAUNCHBOT), "demo"], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "Slack is SIMULATED" in out
        assert "(APP-NAME-ENV)" in out and "(URL-LOCAL)" in out  # field errors first
        assert f"*{expected_id}* is filed" in out
        assert "*Changes requested* by" in out and "*Approved* by" in out
        assert "Deploy manifest for" in out and "1 item(s)" in out
        assert "Traceback" not in result.stderr
    assert (tmp_path / "launchbot.db").exists()  # the default embedded database
