"""`launchbot demo` as a new user runs it: a subprocess in an empty directory. It is a sandbox:
whatever DATABASE_URL says, it files into a temporary database of its own and removes it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

LAUNCHBOT = Path(sys.executable).with_name("launchbot")


def _demo(cwd: Path, tmp: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return subprocess.run([str(LAUNCHBOT), "demo"], cwd=cwd, capture_output=True, text=True,
                          env={**base, "TMPDIR": str(tmp), **env}, timeout=120)


def test_demo_walks_the_whole_flow_and_leaves_nothing(tmp_path: Path) -> None:
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir(), tmp.mkdir()
    for _ in range(2):  # each run is a fresh sandbox: the same ID both times
        result = _demo(work, tmp)
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert out.splitlines()[0].startswith("launchbot demo: a SANDBOX. Slack is SIMULATED "
                                              "and the store is a temporary SQLite database")
        assert "DATABASE_URL is ignored" not in out
        assert "(APP-NAME-ENV)" in out and "(URL-LOCAL)" in out  # field errors first
        assert "*LR-1001* is filed" in out
        assert "*Changes requested* by" in out and "*Approved* by" in out
        assert "Deploy manifest for" in out and "1 item (1 launch)" in out
        assert "approved by rae (" in out  # people by their Slack display name
        assert result.stderr == ""
    assert list(work.iterdir()) == [] and list(tmp.iterdir()) == []


def test_demo_never_opens_database_url(tmp_path: Path) -> None:
    production = tmp_path / "production.db"
    production.write_bytes(b"not even a database: the demo must not open it")
    before = hashlib.sha256(production.read_bytes()).hexdigest()
    result = _demo(tmp_path, tmp_path, DATABASE_URL=f"sqlite:///{production}")
    assert result.returncode == 0, result.stderr
    assert "DATABASE_URL is ignored: the demo never touches a real database" in \
        result.stdout.splitlines()[0]
    assert hashlib.sha256(production.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["production.db"]


def test_demo_with_an_unreachable_database_url_still_runs(tmp_path: Path) -> None:
    result = _demo(tmp_path, tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:9/nowhere")
    assert result.returncode == 0, result.stderr
    assert "*Approved* by" in result.stdout and result.stderr == ""
