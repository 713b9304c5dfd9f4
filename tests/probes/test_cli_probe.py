"""`launchbot check --probe`: the same findings as the command line gives, plus the live checks
(against a real TLS server on 127.0.0.1; localhost resolves through the system resolver)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.probes.tls import authority, tls_server


def write_request(tmp_path: Path, port: int) -> Path:
    path = tmp_path / "request.yaml"
    path.write_text(yaml.safe_dump({
        "kind": "change", "issuer": "urn:gov:gsa:SAML:2.0.profiles:sp:sso:dhs:benefits",
        "protocol": "saml", "acs_url": f"https://localhost:{port}/saml/acs",
        "change_summary": "new ACS"}))
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    main(["check", str(path), "--json", "--today", "2026-11-25", *extra])
    return json.loads(capsys.readouterr().out)


def test_check_probe_adds_the_live_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("URL_PROBE_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("URL_PROBE_CA_FILE", authority().write(tmp_path / "ca.pem"))
    monkeypatch.setenv("URL_PROBE_TIMEOUT", "3")
    with tls_server("localhost", tmp=tmp_path, valid_days=5) as server:
        path = write_request(tmp_path, server.port)
        plain = check(path, capsys)
        probed = check(path, capsys, "--probe")
    assert len(server.requests) == 1  # only --probe sends anything
    assert not [f for f in plain["findings"] if f["rule"].startswith("PROBE-")]
    live = [f for f in probed["findings"] if f["rule"].startswith("PROBE-")]
    assert [(f["rule"], f["severity"], f["field"]) for f in live] == [
        ("PROBE-CERT-EXPIRY", "warning", "acs_url"), ("PROBE-OK", "info", "acs_url")]
    assert probed["findings"][: len(plain["findings"])] == plain["findings"]
    assert probed["ok"] == plain["ok"]  # advice never turns a request into NOT READY


def test_without_the_test_allowance_loopback_is_refused_unconnected(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with tls_server("localhost", tmp=tmp_path) as server:
        probed = check(write_request(tmp_path, server.port), capsys, "--probe")
    live = [f for f in probed["findings"] if f["rule"].startswith("PROBE-")]
    assert [f["rule"] for f in live] == ["PROBE-ADDRESS"]
    assert "a loopback address: not probed" in live[0]["message"]
    assert server.connections == []
