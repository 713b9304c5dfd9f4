"""Every setting is judged when Settings() is made, and a refusal is one line naming it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings, check_host, describe


def refusal(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    line = describe(caught.value)
    assert "\n" not in line
    return line


@pytest.mark.parametrize(("env", "words"), [
    ({"TIMEZONE": "Mars/Olympus_Mons"}, ["TIMEZONE", "unknown time zone 'Mars/Olympus_Mons'"]),
    ({"TIMEZONE": "../../etc/passwd"}, ["TIMEZONE", "unknown time zone"]),
    ({"TIMEZONE": ""}, ["TIMEZONE", "unknown time zone"]),
    ({"DATABASE_URL": "mysql://db/launchbot"}, ["DATABASE_URL", "unsupported database 'mysql'"]),
    ({"DATABASE_URL": "launchbot.db"}, ["DATABASE_URL", "not a database URL"]),
    ({"DATABASE_URL": "sqlite:///"}, ["DATABASE_URL", "in-memory"]),
    ({"DATABASE_URL": "sqlite://"}, ["DATABASE_URL", "in-memory"]),
    ({"DATABASE_URL": "sqlite:///:memory:"}, ["DATABASE_URL", "in-memory"]),
    ({"DEPLOY_WEEKDAYS": "SAT"}, ["DEPLOY_WEEKDAYS", "SAT", "business days"]),
    ({"DEPLOY_WEEKDAYS": "THU,SUN"}, ["DEPLOY_WEEKDAYS", "SUN"]),
    ({"DEPLOY_WEEKDAYS": "FUNDAY"}, ["DEPLOY_WEEKDAYS", "unknown weekday 'FUNDAY'"]),
    ({"PORT": "99999"}, ["PORT", "99999 is not a TCP port"]),
    ({"PORT": "0"}, ["PORT", "not a TCP port"]),
    ({"PORT": "http"}, ["PORT", "integer"]),
    ({"SLACK_API_URL": "ftp://slack.com/api/"}, ["SLACK_API_URL", "http(s)"]),
    ({"SLACK_API_URL": "http://127.0.0.1:port/"}, ["SLACK_API_URL", "not a URL"]),
    ({"EXTRA_CLOSURES": "2026-02-30"}, ["EXTRA_CLOSURES", "no such day"]),
])
def test_a_bad_setting_is_refused_by_name(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                          words: list[str]) -> None:
    line = refusal(monkeypatch, **env)
    for word in words:
        assert word in line


def test_every_bad_setting_is_named_on_the_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    line = refusal(monkeypatch, PORT="70000", TIMEZONE="Nowhere", DEPLOY_WEEKDAYS="SAT")
    assert [part.split(":")[0] for part in line.split("; ")] == [
        "PORT", "TIMEZONE", "DEPLOY_WEEKDAYS"]


def test_a_password_in_the_database_url_is_never_repeated(
        monkeypatch: pytest.MonkeyPatch) -> None:
    line = refusal(monkeypatch, DATABASE_URL="mysql://app:hunter2@db/launchbot")
    assert "hunter2" not in line


@pytest.mark.parametrize("url", ["sqlite:///launchbot.db", "sqlite:////var/lib/lb/lb.db",
                                 "postgresql://app:pw@db.internal:5432/launchbot",
                                 "postgres://db/launchbot", "postgresql+psycopg://db/x",
                                 "postgresql:///launchbot"])  # the last: the local socket
def test_usable_database_urls_are_kept(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert Settings().database_url == url


def test_good_settings_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"TIMEZONE": "America/Los_Angeles", "DEPLOY_WEEKDAYS": "tue, thu",
                        "PORT": "65535", "SLACK_API_URL": "http://127.0.0.1:8080/api/"}.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert (settings.port, settings.deploy_weekdays) == (65535, frozenset({1, 3}))


@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1", "::", "::1", "localhost",
                                  "bot.example.gov"])
def test_listen_hosts(host: str) -> None:
    assert check_host(host) == host


@pytest.mark.parametrize("host", ["", "999.1.1.1", "bad host", "-x", "a/b", "1.2.3"])
def test_bad_listen_hosts(host: str) -> None:
    with pytest.raises(ValueError, match="not an IP address or host name"):
        check_host(host)
