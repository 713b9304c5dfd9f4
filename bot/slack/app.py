"""The app factory: a Bolt App wired to one Runtime, with each listener group registered.
No work at import time and no global App."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.slack.listeners import commands, form, home, review
from bot.slack.runtime import Runtime

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on our side. Nothing you sent was lost; please try again."


def create_app(runtime: Runtime) -> App:
    settings = runtime.settings
    secret = settings.slack_signing_secret
    app = App(client=runtime.client,
              signing_secret=secret.get_secret_value() if secret else None,
              # Listeners ack as soon as they can and go on working after the response (a view
              # submission acks with its response_action once the request is stored).
              process_before_response=False,
              token_verification_enabled=False)

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> BoltResponse:
        # Domain errors are answered by the listeners; this is only for bugs. The user sees
        # a short apology (never a traceback); the log keeps the details, without secrets.
        log.error("listener failed for %s", body.get("type") or body.get("command"),
                  exc_info=error)
        return BoltResponse(status=200, body=SORRY)

    for group in (commands, form, review, home):
        group.register(app, runtime)
    return app
