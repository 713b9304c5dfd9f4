"""GovSlack: the bot pointed at https://slack-gov.com/api/ (SLACK_API_URL) works as on
slack.com, fetches uploads from that host and its subdomains (files.slack-gov.com), and refuses
every other host, slack.com's included.

The fake Slack poses as the GovSlack hosts: their names resolve to 127.0.0.1 in this process
(nothing leaves the machine), and the bot sees nothing but GovSlack's host names."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.devtools.fake_slack import FILES_METHOD, FakeSlack
from bot.slack.files import NOT_SLACK
from bot.slack.server import BackgroundServer
from bot.store.db import Store
from tests.security.conftest import (
    BOT_TOKEN,
    PARTNER,
    SECRET,
    SUPPORT_CHANNEL,
    TICKET,
    Evil,
    HostileSender,
    World,
    eventually,
    make_world,
)

GOV_HOSTS = ("slack-gov.com", "files.slack-gov.com")
COMMERCIAL_HOSTS = ("slack.com", "files.slack.com")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def loopback_names(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.lower().rstrip(".") in GOV_HOSTS + COMMERCIAL_HOSTS:
            host = "127.0.0.1"
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


class GovSlack(FakeSlack):
    """The fake Slack on 127.0.0.1, naming itself slack-gov.com in every URL it gives."""

    @property
    def root_url(self) -> str:
        return f"http://slack-gov.com:{self.port}"


@pytest.fixture
def gov_world(db: Store, loopback_names: None) -> Iterator[World]:
    with GovSlack(bot_token=BOT_TOKEN) as slack:
        assert slack.url == f"http://slack-gov.com:{slack.port}/api/"
        bot, clock = make_world(db, slack)
        assert bot.runtime.settings.slack_api_url == slack.url
        with BackgroundServer(bot.wsgi) as server, \
                HostileSender(server.url, SECRET, fake=slack) as sender:
            yield World(slack, bot, sender, clock, db, server.url)


def _file_on(slack: FakeSlack, file_id: str, host: str) -> None:
    slack.add_file(file_id, f"{file_id}.png", PNG)
    info = slack.files[file_id].info
    for key in ("url_private", "url_private_download"):
        info[key] = info[key].replace(f"//slack-gov.com:{slack.port}",
                                      f"//{host}:{slack.port}")


def test_a_ticket_with_a_file_on_govslack(gov_world: World, evil: Evil) -> None:
    world, slack, sender = gov_world, gov_world.slack, gov_world.sender
    world.bot.slack_auth.check()
    assert world.bot.slack_auth.problem() is None
    assert httpx.get(f"{world.url}/readyz").text == "ready"
    _file_on(slack, "F0GOVFILE", "files.slack-gov.com")  # GovSlack's file host
    _file_on(slack, "F0COMMERCIAL", "files.slack.com")  # commercial Slack: not ours
    slack.add_file("F0EVIL", "evil.png", PNG)
    slack.files["F0EVIL"].info["url_private_download"] = f"{evil.url}/steal.png"

    sender.slash_command("/support-ticket", user_id=PARTNER)
    view = world.view_of(PARTNER, 0)
    for file_id in ("F0COMMERCIAL", "F0EVIL"):
        answer = sender.view_submission(view, user_id=PARTNER, values={
            **TICKET, "attachments": [file_id]}).json()
        assert answer["response_action"] == "errors", answer
        assert f"could not be read: {NOT_SLACK}" in answer["errors"]["attachments"]
    answer = sender.view_submission(view, user_id=PARTNER, values={
        **TICKET, "attachments": ["F0GOVFILE"]}).json()
    assert answer["response_action"] == "update", answer
    world.deliver()

    downloads = slack.calls_to(FILES_METHOD)
    assert [(c.status, c.headers.get("Host")) for c in downloads] == [
        (200, f"files.slack-gov.com:{slack.port}")]
    assert downloads[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert evil.seen == []
    card = eventually(lambda: slack.messages_in(SUPPORT_CHANNEL))
    assert card, "the ticket card was posted through GovSlack's Web API"
