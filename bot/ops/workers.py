"""`launchbot serve` in several processes (SERVE_PROCESSES): one interpreter's lock caps what a
burst of submissions gets from a machine's cores, so N spawned workers accept on one listening
socket, each a whole bot (its own engine and pool, relay, scheduler), as N replicas would be.

The parent binds the socket once and hands it to each child (`spawn`: a fresh interpreter
that shares no engine, connection or thread with the parent). It serves nothing itself: it
waits. On SIGTERM or SIGINT it passes SIGTERM to every worker (each finishes the requests in
flight) and exits 0 once they are gone, killing any still there after `stop_timeout`. A
worker that ends on its own (a crash, the OOM killer, a bad setting) stops the others and the
parent exits non-zero: the service manager restarts the whole (systemd's Restart=on-failure),
rather than this loop restarting a worker that may fail the same way each time.

Counters and histograms (bot/ops/metrics) are then kept in prometheus_client's multiprocess
files, in a directory of this run's own, so /metrics answers for all workers whichever one
Prometheus reaches.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

from bot.ops.metrics import MULTIPROCESS_DIR

log = logging.getLogger(__name__)

STOP_TIMEOUT = 25.0  # seconds; under the unit's TimeoutStopSec (30)
EXIT_WORKER_DIED = 1

# What a worker runs: (index from 1, count, *args) -> exit code.
Worker = Callable[..., int]


class _Stop(Exception):
    """SIGTERM or SIGINT reached the parent."""


def _on_signal(signum: int, frame: object) -> None:
    # Once: a second signal (systemd signals the whole group, a terminal sends SIGINT to
    # every process) must not cut the stopping short.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise _Stop(signum)


def run_workers(worker: Worker, args: Sequence[Any], count: int, *,
                stop_timeout: float = STOP_TIMEOUT) -> int:
    """Run `worker(index, count, *args)` in `count` spawned processes until a signal (exit 0)
    or until one of them ends (its exit code if it gave one, else 1)."""
    context = multiprocessing.get_context("spawn")
    metrics_dir = tempfile.mkdtemp(prefix="launchbot-metrics-")
    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes: list[Any] = []
    code = 0
    try:
        saved = os.environ.get(MULTIPROCESS_DIR)
        os.environ[MULTIPROCESS_DIR] = metrics_dir  # the children's environment
        try:
            for index in range(1, count + 1):
                process = context.Process(target=_child, name=f"launchbot-worker-{index}",
                                          args=(worker, index, count, *args))
                process.start()
                processes.append(process)
        finally:
            if saved is None:
                os.environ.pop(MULTIPROCESS_DIR, None)
            else:
                os.environ[MULTIPROCESS_DIR] = saved
        ended = wait([p.sentinel for p in processes])
        gone = next(p for p in processes if p.sentinel in ended)
        gone.join()
        code = gone.exitcode if gone.exitcode and gone.exitcode > 0 else EXIT_WORKER_DIED
        log.error("worker %s (pid %s) ended with exit code %s: stopping the others",
                  gone.name.rsplit("-", 1)[-1], gone.pid, gone.exitcode)
    except _Stop:
        code = 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _stop_all(processes, stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return code


def _stop_all(processes: Sequence[Any], timeout: float) -> None:
    for process in processes:
        if process.exitcode is None:
            process.terminate()  # SIGTERM: the worker finishes its requests in flight
    deadline = time.monotonic() + timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.exitcode is None:
            log.error("worker %s (pid %s) did not stop within %.0f s: killed",
                      process.name.rsplit("-", 1)[-1], process.pid, timeout)
            process.kill()
            process.join(5)


def _child(worker: Worker, index: int, count: int, *args: Any) -> None:
    """A worker process: stop when the parent is gone (killed without a chance to stop us),
    run the worker, exit with its code."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        def orphaned() -> None:
            wait([parent.sentinel])
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    raise SystemExit(worker(index, count, *args))
