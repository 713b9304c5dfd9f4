"""Typed domain errors. They carry data only (no Slack markup): the Slack layer turns them into
the words a user reads (bot/slack/refusals.py); `str()` is a plain line for logs and tests.

`noun` says what kind of record the error is about ("request", "ticket"): given, or read from
the public ID the error names; None when neither says."""

from __future__ import annotations

from bot.kernel.ids import scheme_of
from bot.models import Report


class WorkflowError(Exception):
    """Base of everything a use case refuses with."""

    noun: str | None = None


def _noun(public_id: str | None, noun: str | None) -> str | None:
    if noun is not None:
        return noun
    scheme = scheme_of(public_id) if public_id else None
    return scheme.noun if scheme else None


class NotFound(WorkflowError):
    """No such record, or one the caller may not see (the two are not told apart). `what` is
    what the caller gave (possibly any text)."""

    def __init__(self, what: str, *, noun: str | None = None) -> None:
        self.what = what
        self.noun = _noun(what, noun)
        super().__init__(f"{what} not found")


class NotAllowed(WorkflowError):
    """The actor may not do this. `reason`: not_reviewer | own_request | other_team | no_team
    | pick_team."""

    def __init__(self, reason: str, *, action: str, request: str | None = None,
                 noun: str | None = None) -> None:
        self.reason = reason
        self.action = action
        self.request = request
        self.noun = _noun(request, noun)
        kind = self.noun or "request"
        texts = {
            "not_reviewer": f"only reviewers can {action} {kind}s",
            "own_request": f"you cannot {action} your own {kind}",
            "other_team": f"only the requester's team can {action} this {kind}",
            "no_team": f"you are not on a partner team yet, so you cannot {action}",
            "pick_team": f"you are on several partner teams: pick one to {action}",
        }
        super().__init__(texts.get(reason, f"not allowed to {action}"))


class InvalidTransition(WorkflowError):
    """The record is not in a state this action applies to."""

    def __init__(self, request: str, *, state: str, action: str) -> None:
        self.request = request
        self.state = state
        self.action = action
        self.noun = _noun(request, None)
        super().__init__(f"cannot {action} {request}: it is {state.replace('_', ' ')}")


class AlreadyDecided(InvalidTransition):
    """Someone decided first (the loser of a race, or a late click); `by` who, when known."""

    def __init__(self, request: str, *, state: str, by: str | None, action: str) -> None:
        super().__init__(request, state=state, action=action)
        self.by = by
        who = f" by {by}" if by else ""
        self.args = (f"{request} was already {state.replace('_', ' ')}{who}",)


class AlreadyClaimed(InvalidTransition):
    """Someone else has it (`by`)."""

    def __init__(self, request: str, *, by: str | None) -> None:
        super().__init__(request, state="in_review", action="claim")
        self.by = by
        self.args = (f"{request} is already claimed by {by}",)


class Conflict(WorkflowError):
    """The record changed between reading and writing it; try again with what it is now."""

    def __init__(self, request: str) -> None:
        self.request = request
        self.noun = _noun(request, None)
        super().__init__(f"{request} changed meanwhile; look again and retry")


class ValidationFailed(WorkflowError):
    """The rules core found errors; the report says which, on which field."""

    def __init__(self, report: Report) -> None:
        self.report = report
        rules = ", ".join(sorted({f.rule for f in report.errors})) or "none"
        super().__init__(f"the request has {len(report.errors)} error(s): {rules}")


class NotARequest(WorkflowError):
    """A sandbox "request": sandbox changes need no request (ENV-SANDBOX)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__("sandbox changes take effect immediately and need no request")


class MissingInput(WorkflowError):
    """A decision that needs text (a comment, a reason) got none."""

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"a {field} is required")
