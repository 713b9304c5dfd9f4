"""Check a configuration in Slack: the modal with a file input, and the answer (the findings of
`launchbot check` grouped by field, the earliest deploy day and its cutoff, and *File this as
a request*). Pure builders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.models import Finding, Severity
from bot.requests.checking import MAX_ENTRIES, Checked, CheckResult
from bot.slack.blocks import button, context, divider, header, plain, section
from bot.slack.ids import Action, Callback
from bot.slack.text import clip, escape, kind_label, long_date

FILE_BLOCK = "config_file"
SECTION_TEXT = 2900  # characters of one section (Slack allows 3,000)
MAX_SECTIONS = 8  # per request: 5 requests of an export still fit a modal's 100 blocks
MARKS = {Severity.error: ":x:", Severity.warning: ":warning:",
         Severity.info: ":information_source:"}
FILETYPES = ["yaml", "yml", "json", "txt"]


def check_modal() -> dict[str, Any]:
    return {
        "type": "modal", "callback_id": Callback.check_config.value,
        "title": plain("Check a configuration", 24), "submit": plain("Check", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section("Upload a request file (YAML or JSON, as `launchbot check` reads it) or "
                    "your dashboard's configuration export. I answer with what the rules "
                    "find and the earliest deploy day. Nothing is filed."),
            {"type": "input", "block_id": FILE_BLOCK, "label": plain("Configuration file"),
             "element": {"type": "file_input", "action_id": Action.value.value,
                         "filetypes": FILETYPES, "max_files": 1}},
        ]}


def _tally(findings: Sequence[Finding]) -> str:
    counts = [(sum(f.severity is s for f in findings), word) for s, word in
              ((Severity.error, "error"), (Severity.warning, "warning"), (Severity.info, "note"))]
    return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


def _grouped(findings: Sequence[Finding], section_text: int = 0,
             max_sections: int = 0) -> list[str]:
    """The findings by field, errors' fields first, packed into sections of at most
    `section_text` characters; past `max_sections` the rest are counted (display only)."""
    section_text = section_text or SECTION_TEXT
    max_sections = max_sections or MAX_SECTIONS
    by_field: dict[str, list[Finding]] = {}
    for finding in findings:
        by_field.setdefault(finding.field or "the request", []).append(finding)
    order = {Severity.error: 0, Severity.warning: 1, Severity.info: 2}
    groups = sorted(by_field.items(), key=lambda kv: min(order[f.severity] for f in kv[1]))
    sections: list[str] = []
    for shown, (name, items) in enumerate(groups):
        body = "\n".join(f"• {MARKS[f.severity]} `{f.rule}` {escape(f.message)}"
                         for f in items)
        text = clip(f"*{escape(name)}*\n{body}", section_text)
        if sections and len(sections[-1]) + 1 + len(text) <= section_text:
            sections[-1] += "\n" + text
        elif len(sections) < max_sections:
            sections.append(text)
        else:
            rest = groups[shown:]
            sections.append(f"…and {sum(len(i) for _, i in rest)} more findings on "
                            f"{len(rest)} more fields (not shown here; `launchbot check` "
                            "lists them all).")
            break
    return sections


def _when(checked: Checked) -> str | None:
    report = checked.report
    if not report.earliest_deploy_date:
        return None
    text = f"*Earliest deploy day:* {long_date(report.earliest_deploy_date)}"
    if report.lead_time_days:
        cutoff = report.earliest_deploy_date - timedelta(days=report.lead_time_days)
        text += (f" (its cutoff: {long_date(cutoff)}, {report.lead_time_days} days' notice)")
    if report.target_deploy_date and report.target_deploy_date != report.earliest_deploy_date:
        text += f"\n*Deploy day asked for:* {long_date(report.target_deploy_date)}"
    return text


def result_blocks(result: CheckResult, file_id: str, *,
                  text_budget: int | None = None) -> list[dict[str, Any]]:
    """The answer for every request in the file, each with *File this as a request*.
    `text_budget`: the characters of findings a message may carry (a modal: no budget)."""
    blocks: list[dict[str, Any]] = [header(clip(f"Check of {result.name}", 150))]
    section_text, max_sections = SECTION_TEXT, MAX_SECTIONS
    if text_budget is not None:
        share = text_budget // max(1, len(result.checked))
        section_text = min(SECTION_TEXT, share)
        max_sections = max(1, share // section_text)
    for index, checked in enumerate(result.checked):
        report = checked.report
        kind = kind_label(report.kind, "request")
        verdict = "Ready to file" if report.ok else "Not ready: fix the errors first"
        head = f"*{escape(checked.label)}* · {kind}\n*{verdict}* ({_tally(report.findings)})"
        blocks += [divider(), section(head)]
        blocks += [section(line) for line in _grouped(report.findings, section_text,
                                                      max_sections)]
        when = _when(checked)
        if when:
            blocks.append(section(when))
        if report.kind in ("launch", "change", "staging"):
            blocks.append({"type": "actions", "elements": [button(
                "File this as a request", Action.file_checked, f"{file_id}:{index}",
                style="primary" if report.ok else None)]})
    if result.left_out:
        blocks.append(context(f"Only the first {MAX_ENTRIES} integrations of the export are "
                              f"checked here; {result.left_out} more are not."))
    if not result.checked:
        blocks.append(section("There is no integration in this export to check."))
    blocks.append(context("Nothing is filed until you submit the request form. Logos and "
                          "certificates a file names are not attached here: add them in the "
                          "form."))
    return blocks


def result_modal(result: CheckResult, file_id: str) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Configuration check", 24),
            "close": plain("Done", 24), "blocks": result_blocks(result, file_id)[:100]}


MESSAGE_TEXT_BUDGET = 8000  # of Slack's 12,000 characters of text in one message's blocks
DM_HINT = ("Send me a request file (YAML or JSON) or your dashboard's configuration export and "
           "I will check it against the rules, as `launchbot check` does. Nothing is filed. "
           "`/launch-request` opens the request form.")


def result_message(result: CheckResult, file_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The answer in a DM: (fallback text, blocks within a message's limits)."""
    verdicts = ", ".join(f"{c.label}: {'ready' if c.report.ok else 'not ready'}"
                         for c in result.checked) or "nothing to check"
    blocks = result_blocks(result, file_id, text_budget=MESSAGE_TEXT_BUDGET)[:50]
    return clip(f"Check of {result.name}: {verdicts}", 3000), blocks


def unreadable_text(message: str) -> str:
    """A file that cannot be read: the one line the command line prints."""
    return clip(f"I could not read that file: {message}", 2000)
