"""A new request's rows, written as two Core statements (the request, then its files in one
executemany) instead of through the ORM's unit of work: a submission holds the write lock
(one writer at a time on SQLite) only for these inserts and its audit and outbox rows.

The request's INSERT does nothing when a unique index already holds its key or issuer (ON
CONFLICT DO NOTHING, with no index named: every unique index of the table): the caller is
told "not inserted" by the statement itself, with no read before it and no savepoint to roll
back to, and the transaction goes on."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import Request as RequestModel
from bot.requests.records import AttachmentFacts, RequestRecord
from bot.store.db import core_connection
from bot.store.models import Attachment, Request

_REQUESTS = Request.__table__
_REQUEST: dict[str, Insert] = {
    "postgresql": postgresql.insert(_REQUESTS).on_conflict_do_nothing().returning(_REQUESTS.c.id),
    "sqlite": sqlite.insert(_REQUESTS).on_conflict_do_nothing().returning(_REQUESTS.c.id),
}
_ATTACHMENT = insert(Attachment.__table__)
# The snapshot's fields that are columns: those filing leaves empty start as None.
_RECORDED = frozenset(f.name for f in fields(RequestRecord)) & frozenset(_REQUESTS.c.keys())


def attachment_values(request: RequestModel, files: Mapping[str, bytes], now: datetime,
                      links: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The logo and certificates the request names, exactly as received (with their Slack
    link when they were uploaded there), as attachment columns."""
    named = [("logo", request.logo)] if request.logo else []
    named += [("certificate", name) for name in request.certificates or ()]
    rows: list[dict[str, Any]] = []
    for role, name in named:
        content = files.get(name)
        if content is None:
            continue  # a change that keeps the current file: nothing new to carry
        content = bytes(content)
        rows.append({"role": role, "name": name, "content": content, "size": len(content),
                     "sha256": hashlib.sha256(content).hexdigest(), "created_at": now,
                     "link": (links or {}).get(name)})
    return rows


def insert_request(session: Session, values: Mapping[str, Any],
                   attachments: list[dict[str, Any]]) -> RequestRecord | None:
    """Insert a request (`values`: its columns) and its attachments; its snapshot. None, with
    nothing written, when a unique index refused it (a request with its idempotency key, or
    an open launch of its issuer; a racer inserting either waits until it commits)."""
    connection = core_connection(session)
    request_id = connection.execute(_REQUEST[connection.dialect.name], dict(values)).scalar()
    if request_id is None:
        return None
    if attachments:
        connection.execute(_ATTACHMENT, [{**a, "request_id": request_id} for a in attachments])
    row = {name: values.get(name) for name in _RECORDED}
    row.update(id=request_id, submitted=dict(values["submitted"]))
    return RequestRecord.of_row(row, attachments=tuple(
        AttachmentFacts(role=a["role"], name=a["name"], sha256=a["sha256"], size=a["size"])
        for a in attachments))
