"""Prometheus metrics (prometheus_client), served at `GET /metrics`.

Per replica: each replica exposes its own counters and Prometheus scrapes every replica. The
counters and histograms live here, module-wide; what the database knows (requests and tickets
by state, the outbox backlog) is read at scrape time by a collector on the store, so every
replica reports the same shared figures. A replica of several worker processes
(SERVE_PROCESSES, bot/ops/workers) answers /metrics from whichever worker takes the scrape:
there prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by the parent
before the workers start) keeps each worker's values in a file, and the scrape sums them, so
a counter never seems to go back when the next scrape reaches another worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.store.db import Store
from bot.store.models import OutboxMessage, OutboxStatus, Request, Ticket

SURFACES = ("command", "block_actions", "view_submission", "view_closed", "shortcut",
            "block_suggestion", "event", "other")
OUTCOMES = ("ok", "429", "5xx", "error")
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The classic text format, which every Prometheus version reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

SLACK_CALLS = Counter("launchbot_slack_calls", "Slack Web API calls by method and outcome "
                      "(ok, 429, 5xx, error: any other failure)", ["method", "outcome"],
                      registry=None)
ACK_SECONDS = Histogram("launchbot_ack_seconds", "Time to answer Slack's HTTP request (the "
                        "acknowledgement), by surface", ["surface"], registry=None,
                        buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0))
JOBS = Counter("launchbot_jobs", "Scheduled job slots by job and outcome (posted, done, "
               "already, missed, failed, waiting)", ["job", "outcome"], registry=None)


def slack_outcome(status: int | None, ok: bool) -> str:
    """ok / 429 / 5xx / error, from an HTTP status and Slack's `ok`."""
    if ok:
        return "ok"
    if status == 429:
        return "429"
    if status is not None and status >= 500:
        return "5xx"
    return "error"


def surface_of(body: object) -> str:
    """What kind of Slack request a parsed body is, as a bounded label."""
    if not isinstance(body, dict):
        return "other"
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return kind if kind in SURFACES else "other"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class StoreCollector(Collector):
    """Figures the database holds, read at each scrape (a failure: database_up 0)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("launchbot_database_up", "1 when the database answered this "
                               "scrape, else 0")
        try:
            with self.store.reader() as session:
                requests = session.execute(
                    select(Request.state, func.count()).group_by(Request.state)).all()
                tickets = session.execute(
                    select(Ticket.state, func.count()).group_by(Ticket.state)).all()
                backlog, oldest = session.execute(
                    select(func.count(), func.min(OutboxMessage.created_at))
                    .where(OutboxMessage.status == OutboxStatus.pending.value)).one()
        except Exception:  # any failure means the figures are unknown; say the database is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        by_state = GaugeMetricFamily("launchbot_requests", "Requests by state",
                                     labels=["state"])
        for state, count in requests:
            by_state.add_metric([state], count)
        yield by_state
        by_state = GaugeMetricFamily("launchbot_tickets", "Support tickets by state",
                                     labels=["state"])
        for state, count in tickets:
            by_state.add_metric([state], count)
        yield by_state
        yield GaugeMetricFamily("launchbot_outbox_backlog", "Outbox messages not yet "
                                "delivered to Slack", value=backlog)
        age = 0.0 if oldest is None else max(
            0.0, (_aware(self.clock()) - _aware(oldest)).total_seconds())
        yield GaugeMetricFamily("launchbot_outbox_oldest_age_seconds", "Age of the oldest "
                                "undelivered outbox message (0 when none)", value=age)


def make_registry(store: Store, clock: Callable[[], datetime]) -> CollectorRegistry:
    """This process's metrics and the store's figures, for one server."""
    registry = CollectorRegistry()
    shared = os.environ.get(MULTIPROCESS_DIR)
    if shared:  # every worker's counters, from their files
        MultiProcessCollector(registry, path=shared)
        registry.register(StoreCollector(store, clock))
        return registry
    for collector in (SLACK_CALLS, ACK_SECONDS, JOBS, StoreCollector(store, clock)):
        registry.register(collector)
    return registry


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    """The text format body and its content type."""
    return generate_latest(registry), CONTENT_TYPE
