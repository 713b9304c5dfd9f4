"""Filing a request from a form: what the form shows next.

The one use case that takes the store rather than a session: judging (parsing, certificates,
logo, calendar) needs only reads, so it runs in a read transaction, and the write transaction
(one writer at a time on SQLite) is taken just to file, with the judgement made before it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.calendar import DeployCalendar
from bot.kernel.actors import Actor
from bot.kernel.errors import ValidationFailed
from bot.models import Report
from bot.requests.records import RequestRecord
from bot.requests.submission import Judgement, filed_with, judge, preview, resubmit, submit
from bot.store.db import Store


@dataclass(frozen=True)
class Uploads:
    """The form's files as read: contents and why any could not be read (by name), and each
    one's Slack link."""

    files: Mapping[str, bytes] = field(default_factory=dict)
    unreadable: Mapping[str, str] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Filed:
    """The request is stored: by this submission (`now`), or already by an earlier delivery
    of the same form (a double submit, a retried delivery)."""

    record: RequestRecord
    now: bool


@dataclass(frozen=True)
class NotFiled:
    """The rules found errors: nothing is stored; the form shows them on its fields."""

    report: Report


@dataclass(frozen=True)
class Warned:
    """Warnings the partner has not seen yet: shown once, with `signature` kept in the form,
    so the same warnings on the next submit go through."""

    report: Report
    signature: str


Outcome = Filed | NotFiled | Warned


def warnings_signature(report: Report) -> str:
    """Names the set of warnings (rule and field), whatever their order."""
    warnings = sorted(f"{f.rule}:{f.field}" for f in report.warnings)
    return hashlib.sha256("|".join(warnings).encode()).hexdigest()[:16]


def file_form(store: Store, data: Mapping[str, Any], *, actor: Actor, now: datetime,
              calendar: DeployCalendar, uploads: Uploads, key: str,
              resubmitting: str | None = None, warned: str | None = None) -> Outcome:
    """Submit `data` (or resubmit the request `resubmitting`) as the form's `key` says, unless
    it has errors or warnings not yet shown (`warned`: the signature shown last time).
    Refusals (not allowed, not in a state for it) are raised as the kernel's errors."""
    judgement: Judgement | None = None
    with store.reader() as session:
        record = None if resubmitting else filed_with(session, key, actor=actor)
        if record is None:
            if resubmitting:
                report = preview(session, data, now=now, calendar=calendar,
                                 files=uploads.files, unreadable=uploads.unreadable,
                                 resubmitting=resubmitting)
            else:
                judgement = judge(session, data, now=now, calendar=calendar,
                                  files=uploads.files, unreadable=uploads.unreadable)
                report = judgement.report
    if record is not None:
        return Filed(record, now=False)
    if not report.ok:
        if not resubmitting:
            with store.reader() as session:  # a first delivery may have just filed it
                record = filed_with(session, key, actor=actor)
            if record is not None:
                return Filed(record, now=False)
        return NotFiled(report)
    if report.warnings and warned != warnings_signature(report):
        return Warned(report, warnings_signature(report))
    try:
        with store.unit_of_work() as session:
            if resubmitting:
                record = resubmit(session, resubmitting, data, actor=actor, now=now,
                                  calendar=calendar, files=uploads.files,
                                  unreadable=uploads.unreadable, links=uploads.links)
            else:
                record = submit(session, data, actor=actor, now=now, calendar=calendar,
                                files=uploads.files, unreadable=uploads.unreadable,
                                idempotency_key=key, judged=judgement, links=uploads.links)
    except ValidationFailed as exc:  # the store changed between judging and filing
        return NotFiled(exc.report)
    return Filed(record, now=True)
