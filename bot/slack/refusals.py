"""The one place a refusal becomes the words a user reads, for every kind of record.

Use cases raise errors that carry data (bot.kernel.errors); each surface (a button's answer, a
modal's field, a slash command's reply) shows `refusal_text(error)`. What differs between a
request and a ticket is vocabulary only, in `VOCABULARY`; the sentences are the same."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    InvalidTransition,
    MissingInput,
    NotAllowed,
    NotFound,
    WorkflowError,
)
from bot.slack.text import STATE_LABELS, escape, user
from bot.slack.tickets.card import TICKET_STATE_LABELS


@dataclass(frozen=True)
class Vocabulary:
    """How refusals speak of one kind of record."""

    plural: str  # "among the requests you can see"
    staff: str  # who may do what only reviewers may: "Only reviewers can ..."
    team_only: str  # "Only the requester's team can {action} this request."
    claimed: str  # "{id} is already being reviewed by {by}"
    decided: str  # "{id} was already {state}"
    labels: dict[str, str]  # state -> label, for "it is approved"
    # action -> how "Only {staff} can ..." ends; absent: "{action} {plural}"
    phrases: dict[str, str]
    missing: str  # "A comment is required." / "Write the reply first."


VOCABULARY = {
    "request": Vocabulary(
        plural="requests", staff="reviewers",
        team_only="Only the requester's team can {action} this request.",
        claimed="{id} is already being reviewed by {by}.",
        decided="{id} was already {state}",
        labels={str(k): v for k, v in STATE_LABELS.items()}, phrases={},
        missing="A {field} is required."),
    "ticket": Vocabulary(
        plural="tickets", staff="the support team",
        team_only="Only the team that filed this ticket can answer it.",
        claimed="{id} is already claimed by {by}.",
        decided="{id} is already {state}",
        labels={str(k): v for k, v in TICKET_STATE_LABELS.items()},
        phrases={"mark as waiting on the partner": "mark tickets as waiting on the partner"},
        missing="Write the {field} first."),
}


def refusal_text(error: WorkflowError, *, noun: str = "request") -> str:
    """What a user is told when a use case says no: specific, never a traceback. `noun` is
    the kind of record the surface is about, for an error that does not name one."""
    words = VOCABULARY.get(error.noun or noun, VOCABULARY["request"])
    if isinstance(error, NotFound):
        return f"I can't find {escape(error.what)} among the {words.plural} you can see."
    if isinstance(error, NotAllowed):
        if error.reason == "not_reviewer":
            ending = words.phrases.get(error.action, f"{error.action} {words.plural}")
            return f"Only {words.staff} can {ending}."
        if error.reason == "other_team":
            return words.team_only.format(action=error.action)
        return _sentence(str(error))
    if isinstance(error, AlreadyClaimed):
        return words.claimed.format(id=error.request, by=user(error.by))
    if isinstance(error, AlreadyDecided):
        state = _label(words, error.state).lower()
        return words.decided.format(id=error.request, state=state) + (
            f" by {user(error.by)}." if error.by else ".")
    if isinstance(error, InvalidTransition):
        state = _label(words, error.state).lower()
        return f"You cannot {error.action} {error.request} now: it is {state}."
    if isinstance(error, MissingInput):
        return words.missing.format(field=error.field)
    return _sentence(str(error))


def _label(words: Vocabulary, state: str) -> str:
    return words.labels.get(state, state.replace("_", " "))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
