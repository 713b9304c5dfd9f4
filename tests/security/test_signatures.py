"""Signatures: every kind of request POST /slack/events takes, sent as an attacker would
(forged, replayed, from the future, unsigned, altered after signing, malformed signature
headers), is refused with 401 before anything runs: no Web API call, no database change.
The same request validly signed goes through, so each refusal is the signature's doing.

The health endpoints need no signature and say nothing but their one word."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.devtools.slack_client import STALE_AFTER, Signing
from bot.slack.tickets.form import TicketFormMeta, ticket_form
from bot.store.models import AuditEvent, ProcessedEvent, Ticket

from .conftest import (
    AGENCY,
    IDP,
    PARTNER,
    REVIEW_CHANNEL,
    REVIEWER,
    SECRET,
    TICKET,
    HostileSender,
    World,
    eventually,
)

# --- the attacks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    name: str
    signing: Signing = Signing.VALID
    tamper: bool = False
    headers: tuple[tuple[str, str | bytes], ...] = ()
    skew: float = 0.0  # seconds the attacker's clock is ahead


ATTACKS = [
    Attack("forged (signed with another secret)", Signing.FORGED),
    Attack("replayed (signed over 5 minutes ago)", Signing.REPLAYED),
    Attack("from the future (over 5 minutes ahead)", skew=STALE_AFTER + 60),
    Attack("missing signature headers", Signing.MISSING),
    Attack("valid signature, body altered", tamper=True),
    Attack("timestamp not a number", headers=(("X-Slack-Request-Timestamp", "1e10"),)),
    Attack("empty timestamp and signature", headers=(("X-Slack-Request-Timestamp", ""),
                                                     ("X-Slack-Signature", ""))),
    Attack("signature not hex", headers=(("X-Slack-Signature", "v0=" + "z" * 64),)),
    Attack("signature with non-ASCII bytes", headers=(("X-Slack-Signature",
                                                       b"v0=\xe9" + b"0" * 63),)),
]


@contextmanager
def attacking(sender: HostileSender, attack: Attack) -> Iterator[Signing]:
    clock = sender.clock
    if attack.skew:
        sender.clock = lambda: clock() + attack.skew
    sender.tamper, sender.extra_headers = attack.tamper, dict(attack.headers)
    try:
        yield attack.signing
    finally:
        sender.clock, sender.tamper, sender.extra_headers = clock, False, {}


# --- every kind of request --------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to prepare the world, send it, and see it worked (once)."""

    name: str
    send: Callable[[World, Any, Signing], httpx.Response]
    worked: Callable[[World, httpx.Response], bool]
    prepare: Callable[[World], Any] = lambda world: None


def _count(world: World, model: Any, **where: Any) -> int:
    with world.store.reader() as session:
        return session.scalar(select(func.count()).select_from(model).where(
            *[getattr(model, name) == value for name, value in where.items()])) or 0


def _card(world: World) -> dict[str, Any]:
    world.file_request()
    return world.slack.messages_in(REVIEW_CHANNEL)[-1]


def _ticket_view(world: World) -> dict[str, Any]:
    return {**ticket_form(TicketFormMeta.new()), "id": "V0TICKETFORM"}


def _opened(world: World, method: str) -> bool:
    return len([c for c in world.slack.calls_to(method) if c.ok]) == 1


KINDS = [
    Kind("slash command /launch-request (opens the form)",
         lambda w, _, s: w.sender.slash_command("/launch-request", user_id=PARTNER, signing=s),
         lambda w, r: _opened(w, "views.open")),
    Kind("slash command /launch-request withdraw",
         lambda w, _, s: w.sender.slash_command("/launch-request", "withdraw LR-1001",
                                                user_id=PARTNER, signing=s),
         lambda w, r: "withdrawn" in r.text and _count(w, AuditEvent, action="withdraw") == 1,
         prepare=lambda w: w.file_request()),
    Kind("slash command /support-ticket (opens the form)",
         lambda w, _, s: w.sender.slash_command("/support-ticket", user_id=PARTNER, signing=s),
         lambda w, r: _opened(w, "views.open")),
    Kind("block_actions: Approve on the review card",
         lambda w, card, s: w.sender.block_action("approve", user_id=REVIEWER, message=card,
                                                  signing=s),
         lambda w, r: _count(w, AuditEvent, action="approve") == 1, prepare=_card),
    Kind("block_actions: a select in the form",
         lambda w, view, s: w.sender.block_action("pick_kind", user_id=PARTNER, view=view,
                                                  value="launch", signing=s),
         lambda w, r: _opened(w, "views.update"),
         prepare=lambda w: _open_form(w)),
    Kind("view_submission: the ticket form",
         lambda w, view, s: w.sender.view_submission(view, user_id=PARTNER, values={
             k: v for k, v in TICKET.items()}, signing=s),
         lambda w, r: r.json().get("response_action") == "update"
         and _count(w, Ticket) == 1, prepare=_ticket_view),
    Kind("view_closed: the request form",
         lambda w, view, s: w.sender.view_closed(view, user_id=PARTNER, signing=s),
         lambda w, r: r.status_code < 500, prepare=lambda w: _open_form(w)),
    Kind("event_callback: app_home_opened",
         lambda w, _, s: w.sender.app_home_opened(PARTNER, event_id="Ev0HOME", signing=s),
         lambda w, r: _opened(w, "views.publish") and _count(w, ProcessedEvent) == 1),
    Kind("url_verification",
         lambda w, _, s: w.sender.url_verification("challenge-7f3a", signing=s),
         lambda w, r: r.status_code == 200 and "challenge-7f3a" in r.text),
]


def _open_form(world: World) -> dict[str, Any]:
    world.sender.slash_command("/launch-request", user_id=PARTNER)
    return world.view_of(PARTNER, 0)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_attack_on_every_kind_is_refused_before_anything_runs(world: World,
                                                                    kind: Kind) -> None:
    context = kind.prepare(world)
    calls, rows = len(world.slack.calls), world.counts()
    for attack in ATTACKS:
        with attacking(world.sender, attack) as signing:
            response = kind.send(world, context, signing)
        assert response.status_code == 401, (attack.name, response.status_code, response.text)
        assert "challenge-7f3a" not in response.text
    assert world.slack.calls[calls:] == [], "a refused request reached the Web API"
    assert world.counts() == rows, "a refused request changed the database"

    # The same request, validly signed, is taken: the refusals above were the signature's.
    response = kind.send(world, context, Signing.VALID)
    assert response.status_code < 500
    eventually(lambda: kind.worked(world, response))
    time.sleep(0.1)  # an attack that got through would have doubled the effect by now
    assert kind.worked(world, response)


def test_an_altered_user_does_not_make_a_partner_a_reviewer(world: World) -> None:
    """The realistic tampering: a partner's own click, captured with its signature, with the
    user swapped for a reviewer's before it reaches the bot."""
    card = _card(world)
    sender = world.sender
    sender.block_action("approve", user_id=PARTNER, message=card)
    eventually(lambda: world.slack.ephemerals_to(PARTNER))  # "Only reviewers can approve"
    assert sender.last_sent is not None
    body, headers = sender.last_sent
    swapped = body.replace(PARTNER.encode(), REVIEWER.encode()).replace(
        AGENCY.encode(), IDP.encode())
    assert swapped != body
    assert sender.client.post(sender.url, content=swapped, headers=headers).status_code == 401
    time.sleep(0.1)
    assert _count(world, AuditEvent, action="approve") == 0
    # Only the signature stands in the way: the same body signed with the secret approves.
    resigned = {**headers, **sender.signed_headers(swapped.decode())}
    assert sender.client.post(sender.url, content=swapped, headers=resigned).status_code == 200
    eventually(lambda: _count(world, AuditEvent, action="approve") == 1)


def test_a_replay_inside_the_window_changes_nothing_twice(world: World) -> None:
    """Bolt accepts a validly signed request again within 5 minutes (as Slack's scheme
    allows): what it does must be idempotent. A second Approve is told it is done; a second
    submission files nothing more; a redelivered event is handled once."""
    sender = world.sender
    card = _card(world)
    assert sender.block_action("approve", user_id=REVIEWER, message=card).status_code == 200
    eventually(lambda: _count(world, AuditEvent, action="approve") == 1)
    assert sender.replay().status_code == 200
    told = eventually(lambda: world.slack.ephemerals_to(REVIEWER))
    assert "already approved" in told[-1]["text"]

    view = _ticket_view(world)
    first = sender.view_submission(view, user_id=PARTNER, values=dict(TICKET)).json()
    again = sender.replay().json()
    assert first["view"] == again["view"]  # the same confirmation: the same ticket
    assert _count(world, Ticket) == 1

    sender.app_home_opened(PARTNER, event_id="Ev0ONCE")
    eventually(lambda: world.slack.calls_to("views.publish"))
    assert sender.replay().status_code == 200
    time.sleep(0.2)  # a second publish would have happened by now
    assert len(world.slack.calls_to("views.publish")) == 1


# --- the endpoints that need no signature -------------------------------------------------


def test_health_endpoints_need_no_signature_and_reveal_nothing(world: World) -> None:
    with httpx.Client(base_url=world.url) as http:
        health, ready = http.get("/healthz"), http.get("/readyz")
        assert (health.status_code, health.text) == (200, "ok")
        assert (ready.status_code, ready.text) == (200, "ready")
        for answer in (health, ready):
            assert answer.headers.get("server") == "launchbot"  # no product, no version
            assert set(answer.headers) <= {"server", "date", "content-type", "content-length",
                                           "connection"}
        for path in ("/", "/slack", "/slack/events/", "/admin", "/.env", "/healthz/../.env",
                     "/slack/events/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"):
            answer = http.get(path)
            assert (answer.status_code, answer.text) in ((404, "not found"),
                                                         (405, "POST only")), path
        assert http.post("/healthz", content=b"x").status_code == 405
        assert http.get("/slack/events").status_code == 405  # no signature asked, none given
        # Slack's SSL check is answered by Bolt before the signature check: an empty 200 that
        # runs nothing, whatever else the body carries.
        rows = world.counts()
        check = http.post("/slack/events", content=b"ssl_check=1&token=x&command=%2Flaunch"
                          b"-request&user_id=U0PARTNER&trigger_id=1.2.3",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert (check.status_code, check.text) == (200, "")
        assert world.counts() == rows
    assert world.slack.calls == []
    text = health.text + ready.text
    assert SECRET not in text and world.slack.bot_token not in text
