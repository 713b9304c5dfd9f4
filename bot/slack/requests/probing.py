"""After a request is filed: probe its production URLs in the background (never inside
Slack's 3 seconds), keep the results with the request and update its card."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from bot.probes.probe import PROBED_KINDS
from bot.requests.probing import record_probe
from bot.requests.records import RequestRecord
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)


def probe_later(runtime: Runtime, record: RequestRecord) -> None:
    prober = runtime.prober
    if prober is None or record.kind not in PROBED_KINDS:
        return
    prober.later(lambda: _probe(runtime, record))


def _probe(runtime: Runtime, record: RequestRecord) -> None:
    assert runtime.prober is not None
    findings = runtime.prober.probe_request({**record.submitted, "kind": record.kind})
    if not findings:
        return
    try:
        with runtime.store.unit_of_work() as session:
            kept = record_probe(session, record, findings=findings, now=runtime.clock())
    except SQLAlchemyError:
        log.warning("could not keep the URL probe results of %s", record.public_id,
                    exc_info=True)
        return
    if kept:
        runtime.poke_relay()
