"""The reliability drill (bench/drill.py), reduced for CI: `launchbot serve` on PostgreSQL, a
burst of partners and reviewers, the fake Slack failing every call (429/500) at the start and
PostgreSQL restarted in the middle. Nothing acknowledged may be lost or doubled, no decision
applied twice, no message posted twice, no 5xx, no answer after 3 seconds."""

from __future__ import annotations

import os

import pytest

from bench.drill import DrillConfig, postgres_cluster, run_drill
from tests.conftest import PG_URL

# Restarting the server cuts every connection of every other user of it: only on request.
RESTART_OPT_IN = "LAUNCHBOT_TEST_RESTART_POSTGRES"

pytestmark = pytest.mark.skipif(not PG_URL, reason="the drill runs on PostgreSQL "
                                                   "(TEST_DATABASE_URL)")


def test_reduced_drill_loses_nothing_through_a_slack_outage_and_a_database_restart() -> None:
    assert PG_URL
    if os.environ.get(RESTART_OPT_IN) != "1":
        pytest.skip(f"restarts the whole PostgreSQL server, cutting every other user of it: "
                    f"set {RESTART_OPT_IN}=1 to allow (.ci/run does)")
    if postgres_cluster(PG_URL) is None:
        pytest.skip("restarting PostgreSQL needs pg_ctlcluster as root")
    config = DrillConfig(partners=30, reviewers=4, teams=5, window=14, outage=6,
                         restart_at=9, deadline=180, database_url=PG_URL)

    result = run_drill(config)
    print(result.report())

    assert result.problems() == []
    count = result.count
    assert count.acked == count.stored == config.partners
    assert count.decision_events == count.decided == config.partners
    assert count.outbox.keys() == {"sent"} and count.posts > 0
    # The faults really happened, and were seen from outside.
    assert result.injected_failures > 0
    assert result.seen.restart is not None
    assert any(status != 200 for _, status in result.seen.ready)
    assert result.recovered
    assert max(result.seen.latencies) < 3.0
