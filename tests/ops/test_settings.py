"""The settings reference, `NAME_FILE` secrets and `launchbot settings --check`, as an operator
uses them: the command in a subprocess with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli.common import store_for
from bot.config import Settings
from bot.ops.settings import README_BEGIN, README_END, reference, render_markdown

ROOT = Path(__file__).resolve().parents[2]
LAUNCHBOT = Path(sys.executable).with_name("launchbot")
SERVE_READY = {"SLACK_BOT_TOKEN": "xoxb-1-secret-token", "SLACK_SIGNING_SECRET": "s3cr3t-sign",
               "REVIEW_CHANNEL": "C0123456789"}


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k.lower() not in Settings.model_fields}  # this test's environment only
    return subprocess.run([str(LAUNCHBOT), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**clean, **env}, timeout=60)


def test_the_readme_table_is_the_one_the_model_prints() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split(README_BEGIN, 1)[1].split(README_END, 1)[0].strip()
    assert table == render_markdown(), "run `launchbot settings --markdown` into the README"


def test_every_setting_has_a_type_a_default_and_a_meaning() -> None:
    rows = reference()
    assert {r.name for r in rows} >= {"SLACK_BOT_TOKEN", "DATABASE_URL", "LOG_LEVEL",
                                      "LOG_FORMAT", "SLACK_BOT_TOKEN_FILE", "SLACK_API_URL"}
    assert all(r.meaning and r.type and r.default for r in rows)
    assert {r.name for r in rows if r.secret} == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
                                                  "SLACK_APP_TOKEN"}


def test_settings_shows_secrets_as_set_never_their_value(tmp_path: Path) -> None:
    secret_file = tmp_path / "signing"
    secret_file.write_text("file-held-signing-secret\n")
    result = run("settings", env={"SLACK_BOT_TOKEN": "xoxb-1-secret-token",
                                  "SLACK_SIGNING_SECRET_FILE": str(secret_file)})
    assert result.returncode == 0, result.stderr
    assert "xoxb-1-secret-token" not in result.stdout
    assert "file-held-signing-secret" not in result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert " set " in lines["SLACK_BOT_TOKEN"]
    assert "from SLACK_SIGNING_SECRET_FILE" in lines["SLACK_SIGNING_SECRET"]
    assert " unset " in lines["SLACK_APP_TOKEN"]
    assert "America/New_York" in lines["TIMEZONE"]


def test_check_passes_a_complete_environment() -> None:
    result = run("settings", "--check", env=SERVE_READY)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_check_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("xoxb-from-file\n")
    result = run("settings", "--check", env={
        **SERVE_READY, "PORT": "eighty", "LOG_FORMAT": "xml",
        "SLACK_BOT_TOKEN_FILE": str(token_file), "DATABASE_URL_FILE": str(tmp_path / "none")})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, result.stderr
    assert any(line.startswith("launchbot: PORT:") for line in lines)
    assert any(line.startswith("launchbot: LOG_FORMAT:") and "json" in line for line in lines)
    assert any("SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE are both set" in line
               for line in lines)
    assert any("DATABASE_URL_FILE" in line and "cannot read" in line for line in lines)
    assert "Traceback" not in result.stderr
    assert "xoxb-from-file" not in result.stderr + result.stdout
    assert "xoxb-1-secret-token" not in result.stderr + result.stdout


def test_check_names_what_serve_needs() -> None:
    result = run("settings", "--check", env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "launchbot: SLACK_SIGNING_SECRET: not set (launchbot serve needs it)",
        "launchbot: REVIEW_CHANNEL: not set (launchbot serve needs it)"]


def test_secrets_and_the_database_url_read_from_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("token", "xoxb-file\n"), ("signing", "sign-file"),
                        ("app", "xapp-file\r\n"), ("db", f"sqlite:///{tmp_path}/x.db\n")):
        (tmp_path / name).write_text(value)
    monkeypatch.setenv("SLACK_BOT_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("SLACK_SIGNING_SECRET_FILE", str(tmp_path / "signing"))
    monkeypatch.setenv("SLACK_APP_TOKEN_FILE", str(tmp_path / "app"))
    monkeypatch.setenv("DATABASE_URL_FILE", str(tmp_path / "db"))
    settings = Settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-file"
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == "sign-file"
    assert settings.slack_app_token is not None
    assert settings.slack_app_token.get_secret_value() == "xapp-file"
    assert settings.database_url == f"sqlite:///{tmp_path}/x.db"


@pytest.mark.parametrize("content", ["", "\n"])
def test_an_empty_secret_file_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str) -> None:
    (tmp_path / "token").write_text(content)
    monkeypatch.setenv("SLACK_BOT_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(ValidationError, match="is empty"):
        Settings()


def test_serve_refuses_both_a_secret_and_its_file_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "signing").write_text("x")
    result = run("serve", env={**SERVE_READY, "SLACK_SIGNING_SECRET_FILE":
                               str(tmp_path / "signing")})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "launchbot: SLACK_SIGNING_SECRET_FILE: SLACK_SIGNING_SECRET and "
        "SLACK_SIGNING_SECRET_FILE are both set; set one of them"]


def test_the_postgresql_pool_is_sized_by_the_settings() -> None:
    settings = Settings(database_url="postgresql://launchbot@127.0.0.1:5432/launchbot",
                        database_pool_size=3, database_max_overflow=2)
    store = store_for(settings)  # no connection is made until the first transaction
    try:
        assert (store.engine.pool.size(), store.engine.pool._max_overflow) == (3, 2)
    finally:
        store.dispose()


def test_a_pool_too_small_to_work_is_refused() -> None:
    with pytest.raises(ValidationError, match="database_pool_size"):
        Settings(database_pool_size=0)
