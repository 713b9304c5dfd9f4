"""The support ticket modal, its private_metadata, reading it back into a SupportTicket,
findings mapped onto its inputs; and the small modals of the conversation (support's reply,
the resolution note, the partner's answer).

Input blocks are named for the bot.models.SupportTicket field they fill (plus `integration`,
the team's integrations picker, and `attachments`), each with one element whose action_id is
`value`. The hints carry the documentation's advice on what a good ticket contains."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.models import Report, Severity
from bot.rules.support import SUPPORT_CATEGORIES, URGENT_CATEGORY
from bot.slack.blocks import context, option, plain, section, static_select
from bot.slack.ids import Action, Callback
from bot.slack.notes import Note, NoteMeta, note_modal
from bot.slack.team_picker import team_block
from bot.slack.text import clip, escape
from bot.slack.view_state import element_value, input_states

TITLE = "Support ticket"
ADVICE = ("A good ticket lets us start right away: *what you expected and what happened*, "
          "the exact error message or code, *when it started*, the steps to reproduce it and "
          "the browser. Never include passwords, private keys, tokens or users' personal "
          "information.")
ENVIRONMENTS = {"sandbox": "Sandbox", "staging": "Staging", "production": "Production"}
ONGOING = "It is still happening"
ATTACHMENT_TYPES = ("png", "jpg", "jpeg", "gif", "pdf", "txt", "log", "har", "json", "xml")
MAX_ATTACHMENTS = 5
OPTION_VALUE_LIMIT = 150  # Slack's; a longer issuer is typed in the free-text field instead
URGENT_HINT = (f"Choose \"{URGENT_CATEGORY}\" only when people cannot sign in to "
               "production now: it alerts the support team.")


class TicketFormMeta(BaseModel):
    """The modal's private_metadata."""

    key: str  # idempotency key: a double submit or a retried delivery files one ticket

    @classmethod
    def new(cls) -> TicketFormMeta:
        return cls(key=uuid.uuid4().hex)

    @classmethod
    def parse(cls, text: str | None) -> TicketFormMeta:
        try:
            return cls.model_validate_json(text or "")
        except ValidationError:
            return cls.new()

    def dump(self) -> str:
        return self.model_dump_json()


def _select(options: Mapping[str, str], placeholder: str) -> dict[str, Any]:
    return static_select(Action.value.value, placeholder, options)


def _text(*, multiline: bool = False, max_length: int | None = None,
          placeholder: str | None = None, initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": Action.value.value,
                               "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = True,
           hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def ticket_form(meta: TicketFormMeta, *, integrations: Mapping[str, str] | None = None,
                teams: Mapping[str, str] | None = None,
                prefill: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The modal. `integrations` are the team's production integrations (issuer -> label):
    the partner picks one, or types an issuer. `teams`: the partner teams to pick from
    (someone on several). `prefill`: initial summary and description (a ticket opened from a
    message)."""
    prefill = prefill or {}
    integrations = {issuer: label for issuer, label in (integrations or {}).items()
                    if len(issuer) <= OPTION_VALUE_LIMIT}
    blocks: list[dict[str, Any]] = [
        context(ADVICE),
        _input("category", "Category", _select({c: c for c in SUPPORT_CATEGORIES},
                                               "What is it about?"),
               optional=False, hint=URGENT_HINT),
        *([team_block(teams, None, "ticket")] if teams and len(teams) > 1 else []),
        _input("environment", "Environment", _select(ENVIRONMENTS, "Where does it happen?"),
               optional=False,
               hint="Sandbox changes take effect immediately; staging and production "
                    "configurations change through a request."),
    ]
    if integrations:
        blocks.append(_input("integration", "Integration", _select(
            integrations, "Choose your integration"),
            hint="The integration this is about, if it is one of your team's."))
    blocks += [
        _input("issuer", "Issuer" if not integrations else "Or another issuer",
               _text(placeholder="urn:gov:gsa:openidconnect.profiles:sp:sso:AGENCY:APP"),
               hint="The issuer of the integration concerned, if it is not listed."
               if integrations else "The issuer of the integration concerned, if any."),
        _input("summary", "Summary", _text(max_length=150, initial=prefill.get("summary")),
               optional=False,
               hint="One line, e.g. \"SAML response rejected: invalid signature\"."),
        _input("description", "Description",
               _text(multiline=True, max_length=3000, initial=prefill.get("description")),
               optional=False,
               hint="What you expected, what happened instead, and the exact error message "
                    "or code (copy it, or attach a screenshot)."),
        _input("started", "When did it start?", _text(placeholder="2026-11-24 09:30 ET"),
               hint="Date, time and time zone; or when you first noticed it."),
        _input("ongoing", "Still happening?", {
            "type": "checkboxes", "action_id": Action.value.value,
            "options": [option("true", ONGOING)]}),
        _input("browser", "Browser", _text(placeholder="Firefox 132 on Windows 11"),
               hint="Browser and version; the device and app version if it is on mobile."),
        _input("steps_to_reproduce", "Steps to reproduce",
               _text(multiline=True, max_length=3000),
               hint="Numbered steps from the start, with the URL of each page and what you "
                    "clicked or entered (never a real password)."),
        _input("production_account_email", "Your production account email",
               _text(placeholder="you@agency.gov"), optional=False,
               hint="The email you sign in to production with. Your production account and "
                    "your dashboard account are separate: you need a production account to "
                    "file a ticket."),
        _input("technical_contact", "Technical contact",
               _text(placeholder="First Last - Title - email - phone"),
               hint="Who we can work with on this, if not you."),
        _input("attachments", "Screenshots or logs", {
            "type": "file_input", "action_id": Action.value.value,
            "filetypes": list(ATTACHMENT_TYPES), "max_files": MAX_ATTACHMENTS},
            hint="Optional. Remove tokens, keys and users' personal information from logs "
                 "and HAR files first."),
    ]
    return {"type": "modal", "callback_id": Callback.ticket_form.value,
            "title": plain(TITLE, 24), "submit": plain("File ticket", 24),
            "close": plain("Cancel", 24), "private_metadata": meta.dump(), "blocks": blocks}


# --- reading a submission --------------------------------------------------------------------

@dataclass(frozen=True)
class TicketInput:
    values: dict[str, Any]  # bot.models.SupportTicket fields, as typed
    file_ids: list[str]  # the attachments' Slack file IDs


def read_ticket(state_values: Any) -> TicketInput:
    """`view.state.values` -> the ticket and its file IDs. Tolerant: an unknown block or a
    value of the wrong shape is left out, never an exception."""
    raw = {block_id: element_value(state) for block_id, state in input_states(state_values)}
    values: dict[str, Any] = {}
    for name in ("category", "environment", "summary", "description", "started", "browser",
                 "steps_to_reproduce", "production_account_email", "technical_contact"):
        text = raw.get(name)
        if isinstance(text, str) and text.strip():
            values[name] = text.strip()
    # The picked integration, else the typed issuer.
    issuer = next((v.strip() for v in (raw.get("integration"), raw.get("issuer"))
                   if isinstance(v, str) and v.strip()), None)
    if issuer:
        values["issuer"] = issuer
    if "ongoing" in raw:
        values["ongoing"] = isinstance(raw["ongoing"], list) and "true" in raw["ongoing"]
    files = raw.get("attachments")
    files = [i for i in files if isinstance(i, str)] if isinstance(files, list) else []
    return TicketInput(values=values, file_ids=files)


def ticket_errors(report: Report, view: Mapping[str, Any],
                  unreadable: Mapping[str, str] | None = None) -> dict[str, str]:
    """`response_action: errors` for the report's errors (and attachments that could not be
    read), each on its input, or on the first one when it has none."""
    blocks = [b["block_id"] for b in view.get("blocks", ())
              if b.get("type") == "input" and "block_id" in b]
    if not blocks:
        return {}
    errors: dict[str, list[str]] = {}
    for finding in report.findings:
        if finding.severity is Severity.error:
            name = (finding.field or "").split("[", 1)[0].split(".", 1)[0]
            if name == "issuer" and "integration" in blocks and "issuer" not in blocks:
                name = "integration"
            errors.setdefault(name if name in blocks else blocks[0], []).append(
                f"{finding.message} ({finding.rule})")
    for name, reason in (unreadable or {}).items():
        block = "attachments" if "attachments" in blocks else blocks[0]
        errors.setdefault(block, []).append(f"'{name}' could not be read: {reason}")
    return {block: clip(" · ".join(messages), 2000) for block, messages in errors.items()}


def ticket_confirmation(public_id: str, *, urgent: bool) -> dict[str, Any]:
    """What the modal turns into once the ticket is filed."""
    lines = [f"*{public_id}* is filed with the support team. You will get a DM when someone "
             "takes it and each time they write; answer from that DM.",
             f"`/support-ticket status {public_id}` says where it stands."]
    if urgent:
        lines.insert(1, ":rotating_light: It is marked *urgent*: the support team was alerted.")
    return {"type": "modal", "title": plain("Ticket filed", 24), "close": plain("Done", 24),
            "blocks": [section("\n".join(lines))]}


# --- the conversation's note modals (bot.slack.notes) -------------------------------------------

TICKET_NOTES = {
    Callback.ticket_reply: Note("Reply to partner", "Your reply (the partner gets it by DM)",
                                "Send", "Write the reply first."),
    Callback.ticket_resolve: Note("Resolve ticket", "Resolution: what was wrong, what was done",
                                  "Resolve", "Write the resolution note first."),
    Callback.ticket_answer: Note("Answer support", "Your answer", "Send",
                                 "Write the answer first."),
}


def ticket_note_about(public_id: str, summary: str | None) -> str:
    return f"*{public_id}*" + (f": {escape(clip(summary, 300))}" if summary else "")


def ticket_note_modal(callback: Callback, meta: NoteMeta,
                      summary: str | None = None) -> dict[str, Any]:
    return note_modal(callback, TICKET_NOTES[callback], meta,
                      ticket_note_about(meta.record, summary))
