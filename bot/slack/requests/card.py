"""The review card in REVIEW_CHANNEL. One builder renders it when it is posted and every time it
is updated in place, so the card always shows the request as it is now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.models import Severity
from bot.requests.expedite import APPROVALS_NEEDED
from bot.requests.expedite import RULE as EXPEDITE_RULE
from bot.requests.records import RequestRecord
from bot.rules.certificates import CertFacts
from bot.rules.logo import LogoFacts
from bot.slack.blocks import button, context, divider, fields, header, section
from bot.slack.changes import change_lines
from bot.slack.fitting import line_sections
from bot.slack.ids import Action, Block
from bot.slack.text import clip, escape, kind_label, long_date, state_label, user
from bot.slack.times import local_time
from bot.store.models import UNDECIDED_STATES, RequestState

CardBlocks = list[dict[str, Any]]
DEFAULT_TZ = ZoneInfo("America/New_York")  # the calendar's default; builders are given theirs


def title(record: RequestRecord) -> str:
    return f"{record.public_id} · {kind_label(record.kind)}"


def summary_fields(record: RequestRecord) -> dict[str, Any]:
    submitted = record.submitted
    level = " · ".join(x for x in (f"IAL {submitted['ial']}" if submitted.get("ial") else "",
                                   f"AAL {submitted['default_aal']}"
                                   if submitted.get("default_aal") else "") if x)
    return fields(
        ("Integration", escape(record.friendly_name or submitted.get("app_name") or "—")),
        ("Agency", escape(record.agency or "—")),
        ("Issuer", f"`{escape(record.issuer or '—')}`"),
        ("Protocol", escape(" · ".join(x for x in (submitted.get("protocol") or "—", level)
                                       if x))),
        ("Target deploy", long_date(record.target_deploy_date)),
        ("Requested by", user(record.requester_user_id)),
    )


WHOLE_CHANGE = "the whole is in `launchbot manifest` once approved"


def diff_blocks(diff: dict[str, Any] | None) -> CardBlocks:
    """The change, item by item (added, removed), in as many sections as it takes."""
    if not diff:
        return []
    return line_sections(change_lines(diff, where=WHOLE_CHANGE), title="*Changes*")


def logo_text(logo: LogoFacts | None) -> str:
    if logo is None:
        return "no logo in this request"
    shape = (f"{logo.width}×{logo.height} px" if logo.width else
             f"viewBox {logo.view_box}" if logo.view_box else "")
    kind = (logo.format or "unknown type").upper()
    return " · ".join(x for x in (f"`{escape(logo.name)}`", kind, f"{logo.size:,} bytes", shape)
                      if x)


def certificate_text(name: str, cert: CertFacts | None) -> str:
    if cert is None:
        return f"`{escape(name)}`: not a readable certificate"
    key = f"{cert.key_type} {cert.key_size}" if cert.key_size else cert.key_type
    return (f"`{escape(name)}` · {escape(cert.common_name or cert.subject)} · {key} · "
            f"expires {cert.not_after:%Y-%m-%d} · SHA-256 {cert.sha256[:23]}…")


def status_text(record: RequestRecord, *, tz: ZoneInfo | None = None) -> str:
    state = RequestState(record.state)
    text = f"*{state_label(state)}*"
    if state is RequestState.in_review and record.reviewer_id:
        text += f" by {user(record.reviewer_id)}"
    if state in (RequestState.approved, RequestState.changes_requested, RequestState.rejected,
                 RequestState.withdrawn) and record.decided_by:
        when = f" on {local_time(record.decided_at, tz or DEFAULT_TZ)}" \
            if record.decided_at else ""
        text += f" by {user(record.decided_by)}{when}"
    if state is RequestState.deployed and record.deployed_by:
        text += f" by {user(record.deployed_by)}"
    if record.decision_note and state is not RequestState.approved:
        text += f"\n> {escape(clip(record.decision_note, 1500))}"
    if record.slip_count:
        text += f"\nSlipped {record.slip_count}× to {long_date(record.target_deploy_date)}"
    return text


def probe_text(record: RequestRecord) -> str | None:
    """The live URL checks (advice: warnings first, then notes), once they have run."""
    found = sorted((f for f in record.findings if f.rule.startswith("PROBE-")),
                   key=lambda f: f.severity is not Severity.warning)
    if not found:
        return None
    lines = [f"• {':warning: ' if f.severity is Severity.warning else ''}`{f.rule}` "
             f"{escape(f.message)}" for f in found]
    return clip("*URL checks* (live, advisory)\n" + "\n".join(lines), 3000)


def expedite_text(record: RequestRecord) -> str | None:
    """The EXPEDITED banner: the notice given (the rules core's own words) and why."""
    accepted = [f for f in record.findings
                if f.rule == EXPEDITE_RULE and f.severity is Severity.warning]
    if not accepted:
        return None
    why = escape(clip(str(record.submitted.get("expedite_justification") or ""), 1500))
    return (f":rotating_light: *EXPEDITED* · {escape(accepted[0].message)}"
            + (f"\n*Why it cannot wait:* {why}" if why else ""))


def approvals_text(approvals: Sequence[str]) -> str | None:
    if not approvals:
        return None
    return (f":ballot_box_with_check: Approved {len(approvals)} of {APPROVALS_NEEDED} by "
            f"{', '.join(user(a) for a in approvals)}: a second, different reviewer must "
            "approve this expedited request.")


def review_card(record: RequestRecord, *, logo: LogoFacts | None,
                certificates: Sequence[tuple[str, CertFacts | None]],
                tz: ZoneInfo | None = None, approvals: Sequence[str] = ()) -> CardBlocks:
    """`approvals`: the first approvals of an expedited request that is still undecided."""
    blocks: CardBlocks = [header(title(record))]
    expedited = expedite_text(record)
    if expedited:
        blocks.append(section(expedited))
    blocks.append(summary_fields(record))
    blocks += diff_blocks(record.diff)
    if record.submitted.get("change_summary"):
        blocks.append(section("*Why*\n" + escape(clip(record.submitted["change_summary"],
                                                        2000))))
    notes = [f for f in record.findings if f.severity is Severity.warning
             and not f.rule.startswith("PROBE-")]
    if notes:
        blocks.append(section(clip("*Warnings*\n" + "\n".join(
            f"• `{f.rule}` {escape(f.message)}" for f in notes), 3000)))
    probed = probe_text(record)
    if probed:
        blocks.append(section(probed))
    files = [f"*Logo:* {logo_text(logo)}"] if record.kind != "change" or logo else []
    files += [f"*Certificate:* {certificate_text(name, cert)}" for name, cert in certificates]
    if files:
        blocks.append(context(clip("\n".join(files), 3000)))
    # Everything the card leaves out (URLs, attributes, IAA, contacts, history) is a click away.
    status = status_text(record, tz=tz)
    approved = approvals_text(approvals) if RequestState(record.state) in UNDECIDED_STATES \
        else None
    blocks += [divider(), section(status + (f"\n{approved}" if approved else ""),
                                  block_id=Block.notice.value, accessory=details_button(record))]
    if RequestState(record.state) in UNDECIDED_STATES:
        blocks.append({"type": "actions", "block_id": Block.actions.value, "elements": [
            button("Approve", Action.approve, record.public_id, style="primary", confirm={
                "title": {"type": "plain_text", "text": "Approve this request?"},
                "text": {"type": "mrkdwn", "text": f"{record.public_id} will be deployed on "
                         f"{long_date(record.target_deploy_date)}."},
                "confirm": {"type": "plain_text", "text": "Approve"},
                "deny": {"type": "plain_text", "text": "Cancel"}}),
            button("Request changes", Action.request_changes, record.public_id),
            button("Reject", Action.reject, record.public_id, style="danger"),
        ]})
    return blocks


def details_button(record: RequestRecord) -> dict[str, Any]:
    return button("Details", Action.details, record.public_id)


def card_text(record: RequestRecord) -> str:
    state = state_label(record.state)
    return f"{title(record)}: {escape(record.friendly_name or record.issuer or '')} ({state})"
