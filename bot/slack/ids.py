"""Every callback_id, action_id and non-field block_id the bot uses, in one place.

Form input blocks use the docs/rules.md §1 field name as their block_id (`app_name`,
`redirect_uris`, `help_text.sign_in`, ...), so a finding's field names its block."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    request_form = "request_form"
    changes_comment = "changes_comment"
    reject_reason = "reject_reason"
    ticket_form = "ticket_form"  # support tickets (block_ids: bot.models.SupportTicket fields)
    ticket_reply = "ticket_reply"
    ticket_resolve = "ticket_resolve"
    ticket_answer = "ticket_answer"
    check_config = "check_config"  # a configuration file to check, nothing filed


class Action(StrEnum):
    value = "value"  # the one element of every form input block
    pick_kind = "pick_kind"
    pick_protocol = "pick_protocol"
    pick_ial = "pick_ial"
    pick_integration = "pick_integration"
    approve = "approve"
    request_changes = "request_changes"
    reject = "reject"
    reopen = "reopen"  # partner: open the form prefilled to resubmit
    new_request = "new_request"
    withdraw = "withdraw"
    mark_deployed = "mark_deployed"  # deployer, on the deploy-day manifest
    slip = "slip"  # deployer: slip to the next deploy day
    new_ticket = "new_ticket"
    ticket_claim = "ticket_claim"  # support staff, on the ticket card
    ticket_reply = "ticket_reply"
    ticket_waiting = "ticket_waiting"
    ticket_resolve = "ticket_resolve"
    ticket_answer = "ticket_answer"  # partner, from the reply DM
    check_config = "check_config"  # App Home: open the check-a-configuration modal
    file_checked = "file_checked"  # from a check's answer: the request form, prefilled
    details = "details"  # anyone who may see the request: the details modal
    details_page = "details_page"  # the details modal's next page
    details_back = "details_back"  # and its previous one


class Block(StrEnum):
    warnings = "warnings"
    notice = "notice"
    current = "current_configuration"
    actions = "actions"
