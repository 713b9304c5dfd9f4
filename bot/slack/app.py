"""The app factory: a Bolt App wired to one Runtime, with each listener group registered.
No work at import time and no global App."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.slack.listeners import commands, deploy, form, home, review, tickets
from bot.slack.listeners.common import actor_id, tell
from bot.slack.runtime import Runtime
from bot.store.claims import record_event

log = logging.getLogger(__name__)
LISTENER_THREADS = 16  # waitress's threads in `launchbot serve`
SORRY = "Sorry, something went wrong on our side. Nothing you sent was lost; please try again."


def create_app(runtime: Runtime) -> App:
    settings = runtime.settings
    secret = settings.slack_signing_secret
    app = App(client=runtime.client,
              signing_secret=secret.get_secret_value() if secret else None,
              # Listeners ack as soon as they can and go on working after the response (a view
              # submission acks with its response_action once the request is stored).
              process_before_response=False,
              # As many listener threads as the HTTP server has (Bolt's default is 5, and
              # submissions then queue for a worker).
              listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
              token_verification_enabled=False)

    @app.error
    def unexpected(error: Exception, body: dict[str, Any], response: BoltResponse | None,
                   client: WebClient) -> BoltResponse:
        # Domain errors are answered by the listeners; this is for bugs and outages (the
        # database restarting). The user sees a short apology (never a traceback); the log
        # keeps the details, without secrets.
        log.error("listener failed for %s", body.get("type") or body.get("command"),
                  exc_info=error)
        if response is None:  # acknowledged already: the apology cannot ride on the answer
            who = actor_id(body)
            if who:
                tell(client, body, who, SORRY)
        return BoltResponse(status=200, body=SORRY)

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        # Slack redelivers an event it thinks was missed; the event_id tells them apart.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with runtime.store.unit_of_work() as session:
                if not record_event(session, str(event_id), now=runtime.clock()):
                    return BoltResponse(status=200, body="")
        return next()

    for group in (commands, form, review, home, deploy, tickets):
        group.register(app, runtime)
    return app
