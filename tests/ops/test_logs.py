"""Logs as an operator reads them: LOG_LEVEL and LOG_FORMAT, JSON parsed line by line, the
request / ticket / job / user a line is about, quiet libraries, and outages in three lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.ops.logs import configure_logging, log_context
from bot.ops.outage import OutageLog
from tests.security.conftest import (
    BOT_TOKEN,
    REVIEW_CHANNEL,
    REVIEWER,
    SECRET,
    World,
    eventually,
)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level
              for name in ("bot", "launchbot", "sqlalchemy.engine")}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


def json_lines(stream: io.StringIO) -> list[dict[str, str]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_time_level_logger_message_and_subjects(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", secrets=[BOT_TOKEN], stream=out)
    log = logging.getLogger("bot.somewhere")
    with log_context(request="LR-1001", user="U0PARTNER"):
        log.info("approved %s", "LR-1001")
        with log_context(job="manifest 2026-11-19"):
            log.warning("posting with token %s", BOT_TOKEN)
    try:
        raise RuntimeError(f"boom {BOT_TOKEN}")
    except RuntimeError:
        log.exception("failed")
    lines = json_lines(out)
    assert [line["message"] for line in lines] == [
        "approved LR-1001", "posting with token [redacted]", "failed"]
    first = lines[0]
    assert set(first) == {"time", "level", "logger", "message", "request", "user"}
    assert first["level"] == "INFO" and first["logger"] == "bot.somewhere"
    assert first["time"].endswith("Z") and first["time"][:2] == "20"
    assert lines[1]["job"] == "manifest 2026-11-19" and lines[1]["request"] == "LR-1001"
    assert "request" not in lines[2]  # the context ended with its block
    assert "RuntimeError" in lines[2]["exception"]
    assert BOT_TOKEN not in out.getvalue()


def test_libraries_log_at_warning_unless_debug(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("INFO", "text", stream=out)
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
    logging.getLogger("bot.scheduler").info("catch-up done")
    logging.getLogger("bot.scheduler").debug("details")
    text = out.getvalue()
    assert "Added job" not in text and "details" not in text
    assert "missed" in text and "catch-up done" in text

    out = io.StringIO()
    configure_logging("DEBUG", "text", stream=out)
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("bot.scheduler").debug("details")
    logging.getLogger("sqlalchemy.engine.Engine").debug("Row (1, b'partner file')")
    assert "Added job" in out.getvalue() and "details" in out.getvalue()
    assert "partner file" not in out.getvalue()  # result rows: never, even at DEBUG

    out = io.StringIO()
    configure_logging("WARNING", "text", stream=out)
    logging.getLogger("bot.scheduler").info("catch-up done")
    assert out.getvalue() == ""


def test_an_outage_is_one_line_a_reminder_a_minute_and_one_line_at_the_end() -> None:
    stream = io.StringIO()
    log = logging.getLogger("tests.outage")
    handler = logging.StreamHandler(stream)
    log.addHandler(handler)
    log.propagate = False
    now = [0.0]
    outage = OutageLog(log, "outbox relay: the database", clock=lambda: now[0])
    try:
        outage.ok()  # all well: nothing said
        for second in range(150):  # a failure a second for two and a half minutes
            now[0] = float(second)
            outage.failed("OperationalError: connection refused")
        now[0] = 151.0
        outage.ok()
        outage.ok()
    finally:
        log.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines == [
        "outbox relay: the database unavailable: OperationalError: connection refused",
        "outbox relay: the database still unavailable after 60 s (61 failures): "
        "OperationalError: connection refused",
        "outbox relay: the database still unavailable after 120 s (121 failures): "
        "OperationalError: connection refused",
        "outbox relay: the database back after 151 s (150 failures)"]


def test_a_failing_listener_logs_the_user_and_the_request(
        world: World, restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("INFO", "json", secrets=[BOT_TOKEN, SECRET], stream=out)
    record = world.file_request()
    card = world.message_about(REVIEW_CHANNEL, record.public_id)
    # The reviewer's "Request changes" opens a modal; Slack fails it.
    world.slack.fail_next(status=500, method="views.open")
    world.sender.block_action("request_changes", user_id=REVIEWER, message=card)
    failed = eventually(lambda: next((line for line in json_lines(out)
                                      if line["message"].startswith("listener failed")), None))
    assert failed["user"] == REVIEWER and failed["request"] == record.public_id
    assert failed["level"] == "ERROR" and "views.open" in failed["exception"]
    assert BOT_TOKEN not in out.getvalue() and SECRET not in out.getvalue()
