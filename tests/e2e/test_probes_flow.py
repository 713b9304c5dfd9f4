"""Live URL probes in the Slack flow: a partner files a launch from the form; after the answer,
the bot probes its production URLs (a real TLS server on 127.0.0.1 with the test CA, reached
through a name table) and the review card shows what it found. Nothing leaves loopback."""

from __future__ import annotations

from pathlib import Path

from bot.kernel.actors import Actor
from bot.models import Severity
from bot.probes import ProbeOptions, Prober
from bot.requests import get_request
from bot.store.db import Store
from tests.e2e.test_launch_flow import (
    LAUNCH,
    PARTNER,
    eventually,
    open_launch_form,
    text_of,
    world_on,
)
from tests.probes.test_probes import Names
from tests.probes.tls import authority, tls_server


def test_a_filed_launch_is_probed_and_its_card_says_so(db: Store, tmp_path: Path) -> None:
    names = Names({"benefits.example.gov": ["127.0.0.1"]})
    with world_on(db) as world, \
            tls_server("benefits.example.gov", tmp=tmp_path, valid_days=12) as server:
        assert world.bot.runtime.prober is None  # URL_PROBES is off in tests
        world.bot.runtime.prober = Prober(
            ProbeOptions(timeout=2, allow_loopback=True,
                         ca_file=authority().write(tmp_path / "ca.pem")), resolve=names)
        view = open_launch_form(world)
        values = {**LAUNCH, "app_name": "DHS Benefits Portal",
                  "iaa_number": "LGABCFY210001-0001-0000",
                  "redirect_uris": f"https://benefits.example.gov:{server.port}/auth/result\n"
                                   f"https://benefits.example.gov:{server.port}/auth/other"}
        answer = world.sender.view_submission(view, user_id=PARTNER, values=values).json()
        assert answer["response_action"] == "update", answer
        assert "LR-1001" in text_of(answer["view"]["blocks"])

        def probed() -> str | None:
            world.deliver()
            text = text_of(world.card()["blocks"])
            return text if "URL checks" in text else None

        card = eventually(probed, timeout=15)
        world.bot.runtime.prober.close()
    assert ":warning: `PROBE-CERT-EXPIRY` benefits.example.gov's certificate expires" in card
    assert len(server.requests) == 1  # one host, probed once
    assert server.requests[0]["path"] == "/auth/result"
    with db.reader() as session:
        record = get_request(session, "LR-1001", actor=Actor(
            user_id="U0REVIEW", team_id="T0IDP", is_reviewer=True))
    probes = [f for f in record.findings if f.rule.startswith("PROBE-")]
    assert {f.rule for f in probes} == {"PROBE-CERT-EXPIRY", "PROBE-OK"}
    assert all(f.severity is not Severity.error for f in probes)
    assert all(f.field == "redirect_uris[0]" for f in probes)
