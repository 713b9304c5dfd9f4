"""Use cases. Each takes the session explicitly and is one unit of work for its caller
(`with store.unit_of_work() as session: approve(session, ...)`): the state change, its audit
event and its outbox messages commit together or not at all. Time is passed in (`now`).

Lifecycle (RequestState):

    submitted ──claim──▶ in_review ──approve──▶ approved ──mark_deployed──▶ deployed
        │  ╲                 │                     │  ▲
        │   ╲─approve / request_changes / reject   └──┘ slip: stays approved, next deploy day
        │                    │
        ├──────────▶ changes_requested ──resubmit──▶ submitted
        ├──────────▶ rejected
        └──────────▶ withdrawn   (from submitted, in_review or changes_requested)

Slipping is a transition, not a state: a slipped request is still approved (nothing is asked
of anyone), its target moves to the next deploy day, `slip_count` counts the slips and the
audit trail and a partner DM record each one. The manifest and the 17:00 reminder read one
state ("approved for day D") whether or not it slipped before.
"""

from bot.kernel.actors import Actor
from bot.kernel.errors import (
    AlreadyClaimed,
    AlreadyDecided,
    Conflict,
    InvalidTransition,
    MissingInput,
    NotAllowed,
    NotARequest,
    NotFound,
    ValidationFailed,
    WorkflowError,
)
from bot.requests.deployment import mark_deployed, slip
from bot.requests.integrations import import_export, list_integrations
from bot.requests.listing import digest_counts, get_request, review_queue, team_requests
from bot.requests.manifest import manifest_for
from bot.requests.records import AttachmentFacts, IntegrationRecord, RequestRecord
from bot.requests.review import approve, claim, may_decide, reject, request_changes
from bot.requests.submission import (
    Judgement,
    build_context,
    filed_with,
    judge,
    preview,
    resubmit,
    submit,
)
from bot.requests.transitions import Topic
from bot.requests.withdrawal import withdraw

__all__ = [
    "Actor",
    "AlreadyClaimed",
    "AlreadyDecided",
    "AttachmentFacts",
    "Conflict",
    "IntegrationRecord",
    "InvalidTransition",
    "Judgement",
    "MissingInput",
    "NotARequest",
    "NotAllowed",
    "NotFound",
    "RequestRecord",
    "Topic",
    "ValidationFailed",
    "WorkflowError",
    "approve",
    "build_context",
    "claim",
    "digest_counts",
    "filed_with",
    "get_request",
    "import_export",
    "judge",
    "list_integrations",
    "manifest_for",
    "mark_deployed",
    "may_decide",
    "preview",
    "reject",
    "request_changes",
    "resubmit",
    "review_queue",
    "slip",
    "submit",
    "team_requests",
    "withdraw",
]
