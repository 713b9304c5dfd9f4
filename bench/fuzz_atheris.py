"""Coverage-guided fuzzing (atheris, libFuzzer) of the request-file parser and the rules core:
what hypothesis in tests/fuzz does by structure, this does by following new branches. Optional:
`pip install -e '.[fuzz]'` (atheris has wheels for CPython 3.11 on Linux x86-64); CI does not
run it.

    .venv/bin/python bench/fuzz_atheris.py -atheris_runs=200000
    .venv/bin/python bench/fuzz_atheris.py -max_total_time=600 corpus/   # keeps what it finds

The first input byte picks what the rest becomes: a YAML or JSON request file, or the logo or
certificate file of the valid example request. The properties: reading a file raises nothing
but InputError (the one line `launchbot check` prints, exit 2); judging never raises. A
violation stops the run with the input saved as crash-<sha1> (replay: pass that file alone).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import yaml

    from bot.calendar import DeployCalendar
    from bot.request_file import InputError, parse_text
    from bot.rules import Context, validate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CALENDAR = DeployCalendar()
NOW = datetime(2026, 11, 25, 12, tzinfo=CALENDAR.tz)
LAUNCH = yaml.safe_load((EXAMPLES / "launch-oidc.yaml").read_text())
LOGO, CERT = LAUNCH["logo"], LAUNCH["certificates"][0]
FILES = {LOGO: (EXAMPLES / LOGO).read_bytes(), CERT: (EXAMPLES / CERT).read_bytes()}


def judge(data: object, files: dict[str, bytes]) -> None:
    report = validate(data, context=Context(now=NOW, calendar=CALENDAR, files=files))
    assert all(f.rule and f.message for f in report.findings)


def one_input(raw: bytes) -> None:
    if not raw:
        return
    mode, body = raw[0] % 4, raw[1:]
    if mode in (0, 1):  # a request file
        name = "request.json" if mode else "request.yaml"
        try:
            data = parse_text(body.decode("utf-8", "replace"), name)
        except InputError as exc:
            assert "\n" not in str(exc), f"a multi-line error: {exc!r}"
            return
        judge(data if isinstance(data, dict) else {"kind": "launch", "logo": data}, FILES)
    else:  # the example request with this logo or this certificate
        judge(LAUNCH, {**FILES, (LOGO if mode == 2 else CERT): body})


def seeds(directory: Path) -> None:
    """Write the examples as a starting corpus (one file per mode) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        (directory / path.name).write_bytes(b"\x00" + path.read_bytes())
    (directory / "logo").write_bytes(b"\x02" + FILES[LOGO])
    (directory / "cert").write_bytes(b"\x03" + FILES[CERT])


def main() -> None:
    corpora = [Path(a) for a in sys.argv[1:] if not a.startswith("-")]
    for corpus in corpora:
        if corpus.is_dir() and not any(corpus.iterdir()):
            seeds(corpus)
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
