"""The authorization matrix: who may do what to a launch/change request and to a support
ticket, through the surfaces Slack gives them (slash commands, buttons, modals, the App Home),
over HTTP. Each cell acts on a request or ticket of its own in the state the action needs; the
observed outcomes are then compared with one table, cell by cell.

Columns: a partner of the requesting team (a teammate of the requester, a guest of the
identity provider's workspace), a partner of another team (over Slack Connect), a guest of
another team in the same workspace as the teammate (only the partner team tells them apart), a
reviewer, anyone (a member of the identity provider's workspace on no partner team: told so,
shown nothing) and, for requests, a reviewer acting on a request they filed themselves.

Another team is told "not found" for a request it cannot see, exactly as for one that does
not exist: never "only reviewers can ...", which would tell it the request exists."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.requests import WorkflowError, approve, claim, request_changes
from bot.slack.refusals import refusal_text
from bot.store.models import Request, Ticket
from bot.tickets.use_cases import reply_to_partner

from .conftest import (
    ANYONE,
    GUEST,
    MANIFEST_AT,
    MANIFEST_CHANNEL,
    OTHER,
    PARTNER,
    REVIEW_CHANNEL,
    REVIEWER,
    REVIEWER2,
    SUPPORT_CHANNEL,
    TEAMMATE,
    World,
    actor,
    eventually,
    text_of,
)

# --- outcomes ---------------------------------------------------------------------------------

DONE = "done"  # the state changed as the action says
SHOWN = "shown"  # the request or ticket is in the answer
ABSENT = "absent"  # a list or App Home without it
OPENED = "form opened"
NOT_FOUND = "not found"  # exactly what an unknown ID gets
REVIEWERS_ONLY = "only reviewers"  # only the reviewers (support team) may
TEAM_ONLY = "only the team"  # only the requester's team may
NOT_OWN = "not your own"  # a reviewer cannot decide their own request
NO_TEAM = "not on a team"  # told they are on no partner team yet, and whom to ask
NOTHING = "no answer"

TEAM, ELSEWHERE, NEXT_DOOR, STAFF, BYSTANDER, OWN = (
    "partner of the team", "partner of another team", "guest of another team", "reviewer",
    "anyone", "reviewer, own request")
ACTING = {TEAM: TEAMMATE, ELSEWHERE: OTHER, NEXT_DOOR: GUEST, STAFF: REVIEWER,
          BYSTANDER: ANYONE, OWN: REVIEWER2}
REQUEST_COLUMNS = (TEAM, ELSEWHERE, NEXT_DOOR, STAFF, BYSTANDER, OWN)
TICKET_COLUMNS = (TEAM, ELSEWHERE, NEXT_DOOR, STAFF, BYSTANDER)

NF = NOT_FOUND
REQUEST_MATRIX: dict[str, tuple[str, ...]] = {
    #                    team            another team  same workspace  reviewer   anyone   own
    "status":           (SHOWN,          NF,           NF,             SHOWN,     NO_TEAM, SHOWN),
    "list":             (SHOWN,          ABSENT,       ABSENT,         ABSENT,    NO_TEAM, SHOWN),
    "App Home":         (SHOWN,          ABSENT,       ABSENT,         SHOWN,     NO_TEAM, SHOWN),
    "withdraw":         (DONE,           NF,           NF,             TEAM_ONLY, NO_TEAM, DONE),
    "reopen the form":  (OPENED,         NF,           NF,             OPENED,    NO_TEAM, OPENED),
    "resubmit":         (DONE,           NF,           NF,             TEAM_ONLY, NO_TEAM, DONE),
    "approve":          (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM, NOT_OWN),
    "request changes":  (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM, NOT_OWN),
    "reject":           (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM, NOT_OWN),
    "claim (use case)": (REVIEWERS_ONLY, NF,           NF,             DONE,      NF,      NOT_OWN),
    "mark deployed":    (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM, DONE),
    "slip":             (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM, DONE),
}
TICKET_MATRIX: dict[str, tuple[str, ...]] = {
    #                      team            another team  same workspace  reviewer   anyone
    "status":             (SHOWN,          NF,           NF,             SHOWN,     NO_TEAM),
    "list":               (SHOWN,          ABSENT,       ABSENT,         ABSENT,    NO_TEAM),
    "App Home":           (SHOWN,          ABSENT,       ABSENT,         SHOWN,     NO_TEAM),
    "claim":              (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM),
    "reply":              (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM),
    "waiting on partner": (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM),
    "resolve":            (REVIEWERS_ONLY, NF,           NF,             DONE,      NO_TEAM),
    "partner's answer":   (DONE,           NF,           NF,             TEAM_ONLY, NO_TEAM),
}
# Requests have no claim button (the card offers Approve / Request changes / Reject): the
# claim use case is asked directly. Deploying one's own approved request is allowed: the
# decision was another reviewer's.

REFUSALS = (("not on a partner team", NO_TEAM), ("can't find", NOT_FOUND),
            ("your own request", NOT_OWN),
            ("only reviewers can", REVIEWERS_ONLY), ("only the support team can", REVIEWERS_ONLY),
            ("only the requester's team", TEAM_ONLY), ("only the team that filed", TEAM_ONLY))


def refusal(text: str) -> str:
    lowered = text.lower()
    return next((outcome for needle, outcome in REFUSALS if needle in lowered),
                f"told {text!r}")


def compare(expected: dict[str, tuple[str, ...]], columns: tuple[str, ...],
            observed: dict[tuple[str, str], str]) -> None:
    wrong = [f"{row} / {column}: expected {want!r}, observed {observed.get((row, column))!r}"
             for row, wants in expected.items() for column, want in zip(columns, wants,
                                                                         strict=True)
             if observed.get((row, column)) != want]
    assert not wrong, "\n".join(wrong)


# --- acting through Slack -----------------------------------------------------------------


class Surfaces:
    """What each actor can do, as Slack would send it, and what they then see."""

    events = itertools.count(1)

    def __init__(self, world: World, model: type[Request] | type[Ticket]) -> None:
        self.world = world
        self.model = model

    def version(self, public_id: str) -> int:
        with self.world.store.reader() as session:
            rows = session.scalars(select(self.model)).all()
            return next(r.version for r in rows if r.public_id == public_id)

    def slash(self, command: str, text: str, user: str) -> str:
        return self.world.sender.slash_command(command, text, user_id=user).text

    def status(self, command: str, user: str, public_id: str) -> str:
        text = self.slash(command, f"status {public_id}", user)
        return NOT_FOUND if "can't find" in text else SHOWN if public_id in text \
            else refusal(text)

    def listed(self, command: str, user: str, public_id: str) -> str:
        text = self.slash(command, "list", user)
        return SHOWN if public_id in text else NO_TEAM if refusal(text) == NO_TEAM else ABSENT

    def home(self, user: str, public_id: str) -> str:
        slack = self.world.slack
        published = len([c for c in slack.calls_to("views.publish")
                         if c.params.get("user_id") == user])
        self.world.sender.app_home_opened(user, event_id=f"Ev0MATRIX{next(self.events)}")
        eventually(lambda: len([c for c in slack.calls_to("views.publish")
                                if c.params.get("user_id") == user and c.ok]) > published)
        shown = text_of((slack.home_view(user) or {}).get("blocks"))
        return SHOWN if public_id in shown else NO_TEAM if refusal(shown) == NO_TEAM else ABSENT

    def click(self, user: str, action: str, message: dict[str, Any], public_id: str) -> str:
        """A button: a refusal told to the clicker alone, a modal, or the change itself."""
        slack = self.world.slack
        told, opened = len(slack.ephemerals_to(user)), self.world.view_calls()
        version = self.version(public_id)
        self.world.sender.block_action(action, user_id=user, message=message)

        def outcome() -> str | None:
            if len(slack.ephemerals_to(user)) > told:
                return refusal(slack.ephemerals_to(user)[-1]["text"])
            if self.world.view_calls() > opened:
                return OPENED
            return DONE if self.version(public_id) != version else None
        return self._wait(outcome)

    def noted(self, user: str, action: str, message: dict[str, Any], public_id: str) -> str:
        """A button that asks for text first: the modal, then the text sent."""
        first = self.click(user, action, message, public_id)
        if first != OPENED:
            return first
        version = self.version(public_id)
        modal = self.world.slack.last_view(user, type="modal")
        assert modal is not None
        answer = self.world.sender.view_submission(modal, user_id=user,
                                                   values={"note": "Please check the URI."})
        if answer.content and answer.json().get("response_action") == "errors":
            return refusal(" ".join(answer.json()["errors"].values()))
        return self._wait(lambda: DONE if self.version(public_id) != version else None)

    @staticmethod
    def _wait(outcome: Callable[[], str | None]) -> str:
        try:
            return eventually(outcome)
        except AssertionError:
            return NOTHING

    def button_message(self, channel: str, action: str, public_id: str) -> dict[str, Any]:
        """The bot's message in `channel` (a user ID: their DM) with `action` for
        `public_id`, narrowed to that one actions block (the sender clicks the first match)."""
        def find() -> dict[str, Any] | None:
            for message in reversed(self.world.slack.messages_in(channel)):
                for block in message.get("blocks") or []:
                    for element in block.get("elements") or []:
                        if element.get("action_id") == action and public_id in str(
                                element.get("value")):
                            return dict(message, blocks=[block])
            return None
        return eventually(find)


# --- requests ---------------------------------------------------------------------------------


def test_the_request_matrix(world: World) -> None:
    act = Surfaces(world, Request)
    observed: dict[tuple[str, str], str] = {}
    numbers = itertools.count(1)

    def subject(column: str) -> tuple[str, str]:
        """A new request for the cell: (its ID, its requester)."""
        requester = REVIEWER2 if column == OWN else PARTNER
        return world.file_request(next(numbers), user=requester).public_id, requester

    # Reads first, while the lists are short: one request of the team, one of the reviewer.
    theirs, _ = subject(TEAM)
    own, _ = subject(OWN)
    for column in REQUEST_COLUMNS:
        user, public_id = ACTING[column], own if column == OWN else theirs
        observed["status", column] = act.status("/launch-request", user, public_id)
        observed["list", column] = act.listed("/launch-request", user, public_id)
        observed["App Home", column] = act.home(user, public_id)

    for column in REQUEST_COLUMNS:
        user = ACTING[column]
        public_id, _ = subject(column)
        text = act.slash("/launch-request", f"withdraw {public_id}", user)
        observed["withdraw", column] = DONE if "withdrawn" in text else refusal(text)

        for row, action in (("approve", "approve"), ("request changes", "request_changes"),
                            ("reject", "reject")):
            public_id, _ = subject(column)
            card = act.button_message(REVIEW_CHANNEL, action, public_id)
            observed[row, column] = act.noted(user, action, card, public_id)

        public_id, _ = subject(column)
        try:
            with world.store.unit_of_work() as session:
                claim(session, public_id, actor=actor(user), now=world.clock())
            observed["claim (use case)", column] = DONE
        except WorkflowError as exc:
            observed["claim (use case)", column] = refusal(refusal_text(exc))

        public_id, requester = subject(column)
        with world.store.unit_of_work() as session:
            request_changes(session, public_id, actor=actor(REVIEWER), now=world.clock(),
                            comment="Use the production IAA.")
        world.deliver()
        dm = act.button_message(requester, "reopen", public_id)
        observed["reopen the form", column] = act.click(user, "reopen", dm, public_id)
        observed["resubmit", column] = _resubmit(world, act, user, requester, public_id)

    # Deploy day: the manifest's buttons, on requests approved for it.
    deploying = {}
    for column in REQUEST_COLUMNS:
        for row in ("mark deployed", "slip"):
            public_id, _ = subject(column)
            with world.store.unit_of_work() as session:
                approve(session, public_id, actor=actor(REVIEWER), now=world.clock())
            deploying[row, column] = public_id
    world.clock.now = MANIFEST_AT
    world.bot.scheduler.tick("manifest")
    world.deliver()
    for (row, column), public_id in deploying.items():
        action = "mark_deployed" if row == "mark deployed" else "slip"
        manifest = act.button_message(MANIFEST_CHANNEL, action, public_id)
        observed[row, column] = act.click(ACTING[column], action, manifest, public_id)

    compare(REQUEST_MATRIX, REQUEST_COLUMNS, observed)


def _resubmit(world: World, act: Surfaces, user: str, requester: str, public_id: str) -> str:
    """The form carrying the request (as its team reopened it), submitted by `user`."""
    opener = TEAMMATE if requester == PARTNER else requester
    dm = act.button_message(requester, "reopen", public_id)
    assert act.click(opener, "reopen", dm, public_id) == OPENED
    view = world.slack.last_view(opener, type="modal")
    assert view is not None and public_id in view["private_metadata"]
    version = act.version(public_id)
    for _ in range(2):  # warnings are shown once before the submit that files
        answer = world.sender.view_submission(view, user_id=user).json()
        if answer.get("response_action") == "errors":
            return refusal(" ".join(answer["errors"].values()))
        if act.version(public_id) != version:
            return DONE
        view = {**answer["view"], "id": view["id"]}
    return NOTHING


# --- support tickets -----------------------------------------------------------------------


def test_the_ticket_matrix(world: World) -> None:
    act = Surfaces(world, Ticket)
    observed: dict[tuple[str, str], str] = {}

    shared = world.file_ticket().public_id
    for column in TICKET_COLUMNS:
        user = ACTING[column]
        observed["status", column] = act.status("/support-ticket", user, shared)
        observed["list", column] = act.listed("/support-ticket", user, shared)
        observed["App Home", column] = act.home(user, shared)

    for column in TICKET_COLUMNS:
        user = ACTING[column]
        for row, action in (("claim", "ticket_claim"), ("reply", "ticket_reply"),
                            ("waiting on partner", "ticket_waiting"),
                            ("resolve", "ticket_resolve")):
            public_id = world.file_ticket().public_id
            card = act.button_message(SUPPORT_CHANNEL, action, public_id)
            observed[row, column] = act.noted(user, action, card, public_id)

        public_id = world.file_ticket().public_id
        with world.store.unit_of_work() as session:
            reply_to_partner(session, public_id, actor=actor(REVIEWER2), now=world.clock(),
                             body="Which redirect URI?")
        world.deliver()
        dm = act.button_message(PARTNER, "ticket_answer", public_id)
        observed["partner's answer", column] = act.noted(user, "ticket_answer", dm, public_id)

    compare(TICKET_MATRIX, TICKET_COLUMNS, observed)


def test_unknown_and_invisible_ids_get_the_same_answer(world: World) -> None:
    """Another team cannot probe for IDs: a request or ticket it may not see and one that does
    not exist are answered alike, word for word but for the ID."""
    request = world.file_request().public_id
    ticket = world.file_ticket().public_id
    act = Surfaces(world, Request)
    for command, real, unknown in (("/launch-request", request, "LR-9999"),
                                   ("/support-ticket", ticket, "ST-9999")):
        for verb in ("status", "withdraw") if command == "/launch-request" else ("status",):
            seen = act.slash(command, f"{verb} {real}", OTHER).replace(real, "ID")
            never = act.slash(command, f"{verb} {unknown}", OTHER).replace(unknown, "ID")
            assert seen == never and "can't find" in seen, (seen, never)
    card = act.button_message(REVIEW_CHANNEL, "approve", request)
    forged = dict(card, blocks=json.loads(json.dumps(card["blocks"]).replace(request,
                                                                               "LR-9999")))
    answers = [act.click(OTHER, "approve", message, request) for message in (card, forged)]
    texts = [e["text"].replace(request, "ID").replace("LR-9999", "ID")
             for e in world.slack.ephemerals_to(OTHER)]
    assert answers == [NOT_FOUND, NOT_FOUND] and texts[0] == texts[1]
