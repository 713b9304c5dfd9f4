"""Every command with hostile arguments and settings: exit 2 (or 1 for findings), one line on
stderr, never a traceback, and nothing written (no file in the working directory, no row in
the database). A table of known-bad inputs, then generated ones."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from bot.store.migrate import upgrade
from tests.fuzz.budget import fuzz
from tests.fuzz.test_request_files import run_cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Settings a command may read; each case starts from none of them set.
SETTINGS = ("DATABASE_URL", "DATABASE_URL_FILE", "TIMEZONE", "DEPLOY_WEEKDAYS",
            "EXTRA_CLOSURES", "PORT", "SLACK_API_URL", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
            "SLACK_SIGNING_SECRET", "REVIEW_CHANNEL", "MANIFEST_CHANNEL", "SUPPORT_CHANNEL",
            "DIGEST_CHANNEL", "INAUGURATION_DAY", "LAUNCHBOT_TEST_NOW")
WALL = "2026-12-02T12:00-05:00"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "launchbot.db"
    upgrade(f"sqlite:///{path}")
    return path


class Sandbox:
    def __init__(self, root: Path, template: Path) -> None:
        self.work, self.db = root / "work", root / "db" / "launchbot.db"
        self.work.mkdir()
        self.db.parent.mkdir()
        shutil.copy(template, self.db)
        (root / "pipe.yaml").parent.mkdir(exist_ok=True)
        os.mkfifo(root / "pipe.yaml")
        self.root = root
        self.url = f"sqlite:///{self.db}"

    def footprint(self) -> tuple[list[str], dict[str, int]]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                          for t in inspect(conn).get_table_names()}
        finally:
            engine.dispose()
        return sorted(p.name for p in self.work.iterdir()), counts


@pytest.fixture
def sandbox(tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path, template)
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", box.url)
    monkeypatch.setenv("LAUNCHBOT_TEST_NOW", WALL)
    monkeypatch.chdir(box.work)
    yield box


def _write(root: Path, name: str, content: str | bytes) -> str:
    path = root / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def assert_answers_safely(box: Sandbox, argv: list[str], allowed: tuple[int, ...] = (2,),
                          words: str = "") -> None:
    before = box.footprint()
    code, out, err = run_cli(*argv)
    assert "Traceback" not in err, err
    assert code in allowed, (argv, code, out, err)
    if code == 2:
        assert out == "" and len(err.splitlines()) == 1 and err.endswith("\n"), (argv, err)
    assert words in err + out, (argv, err)
    assert box.footprint() == before, argv


FILES = {  # name -> content, written beside the sandbox's working directory
    "alias.yaml": "a: &x [1]\nb: *x\n",
    "binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00",
    "list.yaml": "- a\n- b\n",
    "badyaml.yaml": "kind: launch\nname: [unclosed\n",
    "impossible.yaml": "kind: launch\ndesired_deploy_date: 2026-02-30\n",
    "far.yaml": "kind: launch\ndesired_deploy_date: 9999-12-30\n",
    "nulls.yaml": "kind: launch\nredirect_uris: [null, '', 7, https://a.example.gov/cb]\n",
}
CASES: list[tuple[list[str], dict[str, str], tuple[int, ...], str]] = [
    # check
    (["check", "{root}/missing.yaml"], {}, (2,), "no such file"),
    (["check", "{root}/new\nline\x1e.yaml"], {}, (2,), "new\\nline\\x1e.yaml: no such"),
    (["check", "/dev/zero"], {}, (2,), "not a regular file"),
    (["check", "{root}/pipe.yaml"], {}, (2,), "not a regular file"),
    (["check", "{root}"], {}, (2,), "directory"),
    (["check", "{root}/alias.yaml"], {}, (2,), "aliases"),
    (["check", "{root}/binary.yaml"], {}, (2,), "binary"),
    (["check", "{root}/list.yaml"], {}, (2,), "not a request"),
    (["check", "{root}/badyaml.yaml"], {}, (2,), "invalid YAML"),
    (["check", "{root}/impossible.yaml", "--today", "2026-12-01"], {}, (1,), "REQ-TYPE"),
    (["check", "{root}/far.yaml", "--today", "2026-12-01"], {}, (1,), "CAL-HORIZON"),
    (["check", "{root}/nulls.yaml", "--today", "2026-12-01"], {}, (1,), "redirect_uris[2]"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml", "--today", "0001-01-01"], {}, (2,), "years"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml", "--today", "9999-12-31"], {}, (2,), "years"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml", "--today", "2026-02-30"], {}, (2,), "date"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml"], {"TIMEZONE": "Mars/Olympus"}, (2,),
     "TIMEZONE"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml"], {"DEPLOY_WEEKDAYS": "SAT"}, (2,),
     "DEPLOY_WEEKDAYS"),
    (["check", f"{EXAMPLES}/launch-oidc.yaml"], {"EXTRA_CLOSURES": "2026-02-30"}, (2,),
     "EXTRA_CLOSURES"),
    # calendar, holidays, rules
    (["calendar", "--from", "0001-01-01"], {}, (2,), "years"),
    (["calendar", "--from", "9999-12-31"], {}, (2,), "years"),
    (["calendar", "--until", "9999-12-31"], {}, (2,), "years"),
    (["calendar", "--from", "2026-12-01", "--until", "2026-11-01"], {}, (2,), "before"),
    (["calendar", "--count", "1000000000"], {}, (2,), "--count"),
    (["calendar", "--count", "-5"], {}, (2,), "--count"),
    (["calendar", "--count", "\u0663"], {}, (2,), "--count"),  # an Arabic-Indic 3
    (["holidays", "--year", "99999"], {}, (2,), "year"),
    (["holidays", "--year", "\u0662\u0660\u0662\u0666"], {}, (2,), "year"),
    (["rules", "--json", "--markdown"], {}, (2,), "not allowed"),
    # the store's commands
    (["manifest", "--date", "9999-12-31"], {}, (2,), "years"),
    (["manifest", "--date", "2026-11-24"], {}, (2,), "not a deploy day"),
    (["manifest", "--format", "xml"], {}, (2,), "invalid choice"),
    (["manifest"], {"DATABASE_URL": "mysql://app:hunter2@db/launchbot"}, (2,), "DATABASE_URL"),
    (["manifest"], {"DATABASE_URL": "sqlite:///"}, (2,), "in-memory"),
    (["manifest"], {"DATABASE_URL": "sqlite:///typo.db"}, (2,), "no database at"),
    (["integrations", "list"], {"DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}, (2,),
     "database:"),
    (["integrations", "import", "{root}/missing.yaml"], {}, (2,), "no such file"),
    (["integrations", "import", "/dev/zero"], {}, (2,), "not a regular file"),
    (["integrations", "import", "{root}/pipe.yaml"], {}, (2,), "not a regular file"),
    (["integrations", "import", "{root}/alias.yaml"], {}, (2,), "aliases"),
    (["integrations", "import", "{root}/list.yaml"], {}, (2,), "mapping of issuers"),
    (["integrations", "import", f"{EXAMPLES}/launch-oidc.yaml"], {}, (2,), "request file"),
    (["integrations", "import", "{root}/impossible.yaml"], {}, (2,), "request file"),
    (["integrations", "import", "{root}/nulls.yaml"], {}, (2,), "request file"),
    (["integrations", "remove", "urn:nothing:here"], {}, (2,), "no integration"),
    (["db", "upgrade"], {"DATABASE_URL": "oracle://db/x"}, (2,), "unsupported database"),
    (["db", "backup", "{root}/backup.db"], {"DATABASE_URL": "sqlite:///typo.db"}, (2,),
     "typo.db"),
    (["export", "requests", "--since", "9999-12-31"], {}, (2,), "years"),
    (["export", "requests", "--since", "2026-12-10", "--until", "2026-12-01"], {}, (2,),
     "after --until"),
    (["export", "everything"], {}, (2,), "invalid choice"),
    # jobs
    (["jobs", "run", "nope"], {}, (2,), "no job"),
    (["jobs", "run", "slip", "--at", "2026-12-09T09:00"], {}, (2,), "in the future"),
    (["jobs", "run", "slip", "--at", "9999-12-31T00:00"], {}, (2,), "years"),
    (["jobs", "run", "slip", "--at", "yesterday"], {}, (2,), "ISO time"),
    (["jobs", "run", "manifest", "--at", "2026-11-30T09:00"], {}, (2,), "MANIFEST_CHANNEL"),
    (["jobs", "run", "digest", "--preview", "--at", "2027-01-04T09:00"], {}, (2,),
     "DIGEST_CHANNEL"),
    (["jobs", "list", "--at", "0001-01-01T00:00"], {}, (2,), "years"),
    # serve: refused before it listens
    (["serve", "--port", "99999"], {}, (2,), "TCP port"),
    (["serve", "--port", "0"], {}, (2,), "TCP port"),
    (["serve", "--host", "999.999.1.1"], {}, (2,), "host"),
    (["serve"], {"PORT": "70000"}, (2,), "PORT"),
    (["serve"], {"SLACK_API_URL": "ftp://slack.com/api"}, (2,), "SLACK_API_URL"),
    (["serve"], {}, (2,), "SLACK_BOT_TOKEN"),
    (["demo"], {"TIMEZONE": "Nowhere/Land"}, (2,), "TIMEZONE"),
    (["frobnicate"], {}, (2,), "invalid choice"),
]


@pytest.mark.parametrize(("argv", "env", "allowed", "words"), CASES,
                         ids=[" ".join(c[0])[:60] for c in CASES])
def test_a_hostile_input_gets_one_line_and_changes_nothing(
        sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, argv: list[str],
        env: dict[str, str], allowed: tuple[int, ...], words: str) -> None:
    for name, content in FILES.items():
        _write(sandbox.root, name, content)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = [a.replace("{root}", str(sandbox.root)) for a in argv]
    assert_answers_safely(sandbox, argv, allowed, words)


# --- generated: any text where a command takes a value, any of the bad settings -----------

# Commands whose success writes nothing, with where the hostile value goes.
COMMANDS = [
    ["check", f"{EXAMPLES}/launch-oidc.yaml", "--today", "{v}"],
    ["calendar", "--from", "{v}"], ["calendar", "--count", "{v}"],
    ["calendar", "--from", "2026-12-01", "--until", "{v}"],
    ["holidays", "--year", "{v}"], ["manifest", "--date", "{v}"],
    ["jobs", "list", "--at", "{v}"], ["jobs", "run", "manifest", "--preview", "--at", "{v}"],
    ["jobs", "run", "{v}", "--preview"], ["integrations", "import", "{v}", "--dry-run"],
    ["check", "{v}"], ["export", "audit", "--since", "{v}"],
    ["export", "requests", "--team", "{v}", "--format", "json"],
]
BAD_SETTINGS = st.dictionaries(
    st.sampled_from(["TIMEZONE", "DEPLOY_WEEKDAYS", "EXTRA_CLOSURES", "DATABASE_URL", "PORT"]),
    st.sampled_from(["", " ", "SAT", "Mars/X", "2026-13-01", "mysql://x/y", "sqlite://",
                     "-1", "99999", "\x01", "é", "../../etc", "9999-12-31=x"]), max_size=2)
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-29", "2026-11-26", "1899-12-31",
                     "2201-01-01", "0", "-1", "1e9", "99999999999999999999", "/dev/zero",
                     "/dev/null", "/", "2026-11-30T09:00+25:00", "2026-11-30T24:00",
                     "\u0663", "nan", "--help"]),
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat()))


@fuzz("cli: hostile arguments and settings", ci=60, full=1500,
      command=st.sampled_from(COMMANDS), value=VALUES, env=BAD_SETTINGS)
def test_generated_hostile_inputs(tmp_path_factory: pytest.TempPathFactory, template: Path,
                                  command: list[str], value: str, env: dict[str, str]) -> None:
    if "\x00" in value or value.startswith("-"):
        value = f"x{value}".replace("\x00", "")  # argv cannot hold NUL; '-x' is an option
    box = Sandbox(tmp_path_factory.mktemp("case"), template)
    saved = {name: os.environ.get(name) for name in SETTINGS}
    cwd = os.getcwd()
    try:
        for name in SETTINGS:
            os.environ.pop(name, None)
        os.environ.update({"DATABASE_URL": box.url, "LAUNCHBOT_TEST_NOW": WALL,
                           "MANIFEST_CHANNEL": "C0MANIFEST", **env})
        os.chdir(box.work)
        argv = [a.replace("{v}", value) for a in command]
        assert_answers_safely(box, argv, allowed=(0, 1, 2))
    finally:
        os.chdir(cwd)
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
