"""Fuzzing request files: `launchbot check` answers every file with exit 0, 1 or 2 (2 with one
line on stderr, never a traceback), and the rules core judges every parsed request without
raising. Files are the valid examples mutated byte by byte and structurally, with their
logo and certificate files mutated too, and documents made up from nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from bot.calendar import DeployCalendar
from bot.cli import main
from bot.models import Configuration, Report, parse_request
from bot.request_file import parse_text
from bot.rules import Context, diff, validate
from tests.fuzz.budget import fuzz
from tests.fuzz.strategies import byte_ops, mutate_bytes, mutated_docs, texts, values

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REQUESTS = {p.name: p.read_bytes() for p in sorted(EXAMPLES.glob("*.yaml"))
            if p.name != "integrations-export.yaml"}  # not a request: `integrations import`
ATTACHMENTS = {p.name: p.read_bytes() for p in sorted(EXAMPLES.iterdir())
               if p.suffix in (".svg", ".png", ".pem")}
PARSED = {name: yaml.safe_load(raw) for name, raw in REQUESTS.items()}
TODAY = "2026-11-25"
CAL = DeployCalendar()
NOW = datetime(2026, 11, 25, 12, tzinfo=CAL.tz)
JSON_KEYS = {"ok", "kind", "findings", "earliest_deploy_date", "target_deploy_date",
             "lead_time_days"}


@dataclass
class RequestFile:
    """A request file and the directory around it, as a partner's disk might hold them."""

    name: str
    content: bytes
    attachments: dict[str, bytes | None] = field(default_factory=dict)  # None: a directory
    json_output: bool = False  # `check --json`

    def write(self, directory: Path) -> Path:
        for name, content in self.attachments.items():
            if content is None:
                (directory / name).mkdir()
            else:
                (directory / name).write_bytes(content)
        path = directory / self.name
        path.write_bytes(self.content)
        return path


def dump(doc: Any, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(doc, default=str, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8",
                                                                           "surrogatepass")


# One attachment: as it is (mostly), mutated, swapped for another, emptied, a directory, gone.
def attachment(name: str) -> st.SearchStrategy[tuple[str, bytes | None] | None]:
    original = ATTACHMENTS[name]
    return st.one_of(
        st.just((name, original)), st.just((name, original)),
        byte_ops.map(lambda ops: (name, mutate_bytes(original, ops))),
        st.sampled_from(list(ATTACHMENTS.values())).map(lambda other: (name, other)),
        st.sampled_from([(name, b""), (name, None), None, (name, original * 200)]),
    )


attachment_sets = st.tuples(*(attachment(n) for n in ATTACHMENTS)).map(
    lambda pairs: dict(p for p in pairs if p is not None))
file_names = st.sampled_from(["request.yaml", "request.yml", "request.json", "request.txt"])


def _mutated_example(as_json: bool) -> st.SearchStrategy[bytes]:
    return st.sampled_from(sorted(PARSED)).flatmap(
        lambda name: mutated_docs(PARSED[name])).map(lambda doc: dump(doc, as_json))


def _contents(as_json: bool) -> st.SearchStrategy[bytes]:
    return st.one_of(
        _mutated_example(as_json),  # structurally mutated examples
        st.tuples(st.sampled_from(sorted(REQUESTS)), byte_ops).map(  # byte-mutated examples
            lambda t: mutate_bytes(REQUESTS[t[0]], t[1])),
        values().map(lambda doc: dump(doc, as_json)),  # documents from nothing
        st.dictionaries(st.sampled_from([*sorted(Configuration.model_fields), "kind"]),
                        values(6), max_size=10).map(
            lambda doc: dump({"kind": "launch", **doc}, as_json)),
        st.binary(max_size=200),  # noise
        texts(200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


request_files = st.sampled_from([False, True]).flatmap(lambda json_file: st.builds(
    RequestFile,
    name=st.just("request.json") if json_file else file_names,
    content=_contents(json_file), attachments=attachment_sets, json_output=st.booleans()))


def run_cli(*argv: str) -> tuple[int | None, str, str]:
    """`launchbot` in this process, with stdout and stderr as a terminal would take them:
    stdout strict UTF-8 (what the real stream does with text it cannot encode), stderr
    backslash-escaped. An escaping exception is written to stderr as Python would."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="backslashreplace",
                           write_through=True)
    code: int | None
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc(file=err)
            code = None
    return code, out_bytes.getvalue().decode("utf-8"), err_bytes.getvalue().decode("utf-8")


def assert_cli_contract(code: int | None, out: str, err: str, *, as_json: bool) -> None:
    """DESIGN.md: 0 no errors, 1 errors, 2 unusable input with one line on stderr."""
    assert "Traceback" not in err, err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert out == ""
        assert len(err.splitlines()) == 1 and err.endswith("\n"), err
        assert err.startswith("launchbot: ")
        return
    assert err == ""
    if as_json:
        report = json.loads(out)
        assert set(report) == JSON_KEYS
        assert report["ok"] is (code == 0)
    else:
        assert (" request: OK (" in out.splitlines()[0]) is (code == 0), out


@fuzz("cli check: request files", ci=120, full=3000, case=request_files)
def test_check_answers_every_file_with_an_exit_code(case: RequestFile) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = case.write(Path(directory))
        argv = ["check", str(path), "--today", TODAY, *(["--json"] if case.json_output else [])]
        code, out, err = run_cli(*argv)
    assert_cli_contract(code, out, err, as_json=case.json_output)


# --- the rules core on parsed requests -----------------------------------------------------

CURRENT = Configuration.model_validate(
    {k: v for k, v in PARSED["launch-oidc.yaml"].items() if k in Configuration.model_fields})
contexts = st.builds(
    Context, now=st.just(NOW), calendar=st.just(CAL),
    files=st.dictionaries(st.sampled_from(sorted(ATTACHMENTS)), st.one_of(
        st.sampled_from(list(ATTACHMENTS.values())),
        st.tuples(st.sampled_from(list(ATTACHMENTS.values())), byte_ops).map(
            lambda t: mutate_bytes(*t)))),
    unreadable=st.dictionaries(texts(20), texts(20), max_size=2),
    knows_integrations=st.booleans(),
    known_issuers=st.frozensets(st.sampled_from([CURRENT.issuer or "", "urn:x"]), max_size=2),
    open_request_issuers=st.frozensets(st.sampled_from([CURRENT.issuer or ""]), max_size=1),
    current=st.sampled_from([None, CURRENT]))
parsed_requests = st.one_of(
    st.sampled_from(sorted(PARSED)).flatmap(lambda name: mutated_docs(PARSED[name], 6)),
    # what the parser makes of a byte-mutated file, when it makes anything
    st.tuples(st.sampled_from(sorted(REQUESTS)), byte_ops).map(lambda t: _parsed(
        mutate_bytes(REQUESTS[t[0]], t[1]))),
)


def _parsed(raw: bytes) -> Any:
    try:
        return parse_text(raw.decode("utf-8", "replace"), "request.yaml")
    except Exception:  # unreadable input is the CLI target's concern, not the core's
        return {"kind": "launch"}


@fuzz("rules core: parsed requests", ci=300, full=4000, doc=parsed_requests, context=contexts)
def test_rules_core_judges_every_parsed_request(doc: Any, context: Context) -> None:
    report = validate(doc, context=context)
    assert isinstance(report, Report)
    assert all(f.rule and f.message for f in report.findings)
    json.dumps(report.as_json())  # what `check --json` prints
    if not report.ok:
        assert report.errors
    if isinstance(doc, dict) and doc.get("kind") == "change" and report.kind == "change":
        parsed, _ = parse_request(doc)
        if parsed is not None:
            diff(context.current, parsed)  # what the review card shows for a change


# --- a handful through the real executable -------------------------------------------------

LAUNCHBOT = Path(sys.executable).with_name("launchbot")


@fuzz("cli check: subprocess", ci=3, full=40, case=request_files)
def test_the_real_command_never_prints_a_traceback(case: RequestFile) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = case.write(Path(directory))
        argv = [str(LAUNCHBOT), "check", str(path), "--today", TODAY,
                *(["--json"] if case.json_output else [])]
        result = subprocess.run(argv, capture_output=True, timeout=60, cwd=directory,
                                env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    out = result.stdout.decode("utf-8")
    err = result.stderr.decode("utf-8", "backslashreplace")
    assert_cli_contract(result.returncode, out, err, as_json=case.json_output)
