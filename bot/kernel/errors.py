"""Typed domain errors. They carry data for the surfaces to render; `str()` reads well too."""

from __future__ import annotations

from bot.models import Report


class WorkflowError(Exception):
    """Base of everything a use case refuses with."""


class NotFound(WorkflowError):
    """No such request, or one the caller may not see (the two are not told apart)."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"{what} not found")


class NotAllowed(WorkflowError):
    """The actor may not do this. `reason`: not_reviewer | own_request | other_team | no_team
    | pick_team."""

    def __init__(self, reason: str, *, action: str, request: str | None = None) -> None:
        self.reason = reason
        self.action = action
        self.request = request
        texts = {
            "not_reviewer": f"only reviewers can {action} requests",
            "own_request": f"you cannot {action} your own request",
            "other_team": f"only the requester's team can {action} this request",
            "no_team": f"you are not on a partner team yet, so you cannot {action}",
            "pick_team": f"you are on several partner teams: pick one to {action}",
        }
        super().__init__(texts.get(reason, f"not allowed to {action}"))


class InvalidTransition(WorkflowError):
    """The request is not in a state this action applies to."""

    def __init__(self, request: str, *, state: str, action: str) -> None:
        self.request = request
        self.state = state
        self.action = action
        super().__init__(f"cannot {action} {request}: it is {state.replace('_', ' ')}")


class AlreadyDecided(InvalidTransition):
    """Someone else decided first (the loser of a race, or a late click)."""

    def __init__(self, request: str, *, state: str, by: str | None, action: str) -> None:
        super().__init__(request, state=state, action=action)
        self.by = by
        who = f" by <@{by}>" if by else ""
        self.args = (f"{request} was already {state.replace('_', ' ')}{who}",)


class AlreadyClaimed(InvalidTransition):
    def __init__(self, request: str, *, by: str | None) -> None:
        super().__init__(request, state="in_review", action="claim")
        self.by = by
        self.args = (f"{request} is already being reviewed by <@{by}>",)


class Conflict(WorkflowError):
    """The request changed between reading and writing it; try again with what it is now."""

    def __init__(self, request: str) -> None:
        self.request = request
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
