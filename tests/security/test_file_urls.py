"""Slack files whose private URL points anywhere but the Slack Web API's host: the bot fetches
uploads only from the host (and scheme and port) of the Web API it is configured with, never
follows a redirect, and never requests a partner-supplied URL. A hostile server ("evil") runs
beside the fake Slack and must see no request at all, and so never the bot token; the partner
is told on the form's field why the file could not be read.

The fake Slack runs as http://localhost:<port> here, so host names (not only ports) differ."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.devtools.fake_slack import FILES_METHOD, FakeSlack
from bot.requests import preview
from bot.slack.files import NOT_SLACK
from bot.slack.server import BackgroundServer
from bot.store.db import Store

from .conftest import (
    BOT_TOKEN,
    EXAMPLES,
    IDP,
    PARTNER,
    SECRET,
    TICKET,
    Evil,
    HostileSender,
    World,
    launch_data,
    make_world,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
REDIRECTED = "Slack refused the download"


@pytest.fixture
def world(db: Store) -> Iterator[World]:
    with FakeSlack(bot_token=BOT_TOKEN, host="localhost", team_id=IDP) as slack:
        bot, clock = make_world(db, slack)
        with BackgroundServer(bot.wsgi) as server, \
                HostileSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender, clock, db, server.url)


def variants(slack: FakeSlack, evil: Evil) -> dict[str, tuple[dict[str, Any], str]]:
    """name -> (what files.info says instead, what the partner is told)."""
    path = "/files-pri/T0AGENCY-F0X/download/shot.png"
    port, bad = slack.port, evil.port
    return {
        "another host": ({"url_private_download": f"http://127.0.0.1:{bad}{path}"}, NOT_SLACK),
        "another port on the Slack host": (
            {"url_private_download": f"http://localhost:{bad}{path}"}, NOT_SLACK),
        "another scheme": ({"url_private_download": f"https://localhost:{port}{path}"},
                           NOT_SLACK),
        "slack-host@evil": (
            {"url_private_download": f"http://localhost:{port}@127.0.0.1:{bad}{path}"},
            NOT_SLACK),
        "slack-host@evil, no port": (
            {"url_private_download": f"http://localhost@127.0.0.1:{bad}{path}"}, NOT_SLACK),
        "a host that merely ends with the Slack host's name": (
            {"url_private_download": f"http://evillocalhost:{port}{path}"}, NOT_SLACK),
        "the Slack host's name as a subdomain of another": (
            {"url_private_download": f"http://localhost.evil.example:{port}{path}"},
            NOT_SLACK),
        "a backslash before the Slack host": (
            {"url_private_download": f"http://127.0.0.1:{bad}\\@localhost:{port}{path}"},
            NOT_SLACK),
        "IPv6 loopback": ({"url_private_download": f"http://[::1]:{bad}{path}"}, NOT_SLACK),
        "the Slack host upper-case, with a trailing dot, another port": (
            {"url_private_download": f"http://LOCALHOST.:{bad}{path}"}, NOT_SLACK),
        "file: URL": ({"url_private_download": "file:///etc/passwd"}, NOT_SLACK),
        "javascript: URL": ({"url_private_download": "javascript:alert(1)"}, NOT_SLACK),
        "no download link, url_private elsewhere": (
            {"url_private_download": None, "url_private": f"http://127.0.0.1:{bad}{path}"},
            NOT_SLACK),
        "a redirect from the Slack host to elsewhere": ({}, REDIRECTED),
    }


def test_a_file_off_the_slack_host_is_never_fetched(world: World, evil: Evil) -> None:
    slack, sender = world.slack, world.sender
    cases = variants(slack, evil)
    for n, (info, _) in enumerate(cases.values()):
        file_id = f"F0URL{n:02d}"
        slack.add_file(file_id, f"shot-{n}.png", PNG)
        slack.files[file_id].info.update(info)
        if not info:
            slack.redirect_file(file_id, f"{evil.url}/steal?from=slack")
    sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    told = {}
    for n, name in enumerate(cases):
        answer = sender.view_submission(view, user_id=PARTNER, values={
            **TICKET, "attachments": [f"F0URL{n:02d}"]}).json()
        assert answer["response_action"] == "errors", (name, answer)
        told[name] = answer["errors"]["attachments"]
    assert evil.seen == [] and evil.tokens_seen() == []
    wrong = {name: told[name] for name, (_, reason) in cases.items()
             if f"could not be read: {reason}" not in told[name]}
    assert not wrong, wrong
    # The only downloads were to the fake Slack, with the token: the redirect, answered 302.
    downloads = slack.calls_to(FILES_METHOD)
    assert [c.status for c in downloads] == [302]
    assert downloads[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert not [c for c in slack.calls_to("chat.postMessage")]  # nothing was filed


def test_the_same_file_on_the_slack_host_is_fetched(world: World, evil: Evil) -> None:
    """The control: the form and the fetch work, so the refusals above are the URL checks."""
    world.slack.add_file("F0GOOD", "shot.png", PNG)
    world.sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    answer = world.sender.view_submission(view, user_id=PARTNER, values={
        **TICKET, "attachments": ["F0GOOD"]}).json()
    assert answer["response_action"] == "update", answer
    assert [c.status for c in world.slack.calls_to(FILES_METHOD)] == [200]
    assert evil.seen == []


def test_a_logo_off_the_slack_host_is_refused_on_the_logo_field(world: World,
                                                                 evil: Evil) -> None:
    slack = world.slack
    logo = slack.add_file("F0LOGO", "logo.svg", (EXAMPLES / "benefits-logo.svg").read_bytes())
    slack.files["F0LOGO"].info["url_private_download"] = logo["url_private_download"].replace(
        f"localhost:{slack.port}", f"127.0.0.1:{evil.port}")
    slack.add_file("F0CERT", "cert.pem", (EXAMPLES / "benefits-cert.pem").read_bytes())
    world.sender.slash_command("/launch-request", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    for action, value in (("pick_kind", "launch"), ("pick_protocol", "oidc_private_key_jwt")):
        before = world.view_calls()
        world.sender.block_action(action, user_id=PARTNER, view=view, value=value)
        view = world.view_of(PARTNER, before)
    answer = world.sender.view_submission(view, user_id=PARTNER, values={
        "app_name": "DHS Benefits Portal", "friendly_name": "Benefits", "agency": "DHS",
        "ial": "1", "issuer": launch_data()["issuer"], "logo": ["F0LOGO"],
        "certificates": ["F0CERT"], "iaa_number": "LGABCFY210001-0001-0000"}).json()
    assert answer["response_action"] == "errors"
    assert f"could not be read: {NOT_SLACK}" in answer["errors"]["logo"]
    assert evil.seen == []


def test_urls_a_partner_types_are_never_requested(world: World, evil: Evil) -> None:
    """Redirect URIs, the application URL, the push notification URL, a ticket's text: the
    rules judge them as text; nothing fetches them."""
    data = launch_data(push_notification_url=f"{evil.url}/risc",
                       redirect_uris=[f"{evil.url}/auth/result"],
                       application_url=f"{evil.url}/", failure_to_proof_url=f"{evil.url}/idv")
    with world.store.unit_of_work() as session:
        preview(session, data, now=world.clock(), calendar=world.bot.runtime.calendar)
    world.sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    world.sender.view_submission(view, user_id=PARTNER, values={
        **TICKET, "description": f"See {evil.url}/x", "steps_to_reproduce": evil.url})
    world.deliver()
    assert evil.seen == []
    assert httpx.get(f"{evil.url}/probe").status_code == 200  # evil was listening
    assert len(evil.seen) == 1
