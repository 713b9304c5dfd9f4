"""The app factory: a Bolt App wired to one Runtime, with each listener group registered.
No work at import time and no global App."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

from bot.ops.logs import ContextExecutor
from bot.slack.client import metered_copy
from bot.slack.home import listener as home
from bot.slack.listening import SORRY, actor_id, tell
from bot.slack.requests import check as config_check
from bot.slack.requests import commands, details_listener, review, submitting
from bot.slack.requests import filing as form
from bot.slack.runtime import Runtime
from bot.slack.schedule import buttons as deploy
from bot.slack.team_gate import team_gate
from bot.slack.tickets import listeners as tickets
from bot.slack.tickets import shortcut as ticket_shortcut
from bot.store.claims import record_event

log = logging.getLogger(__name__)
# Listeners go on working after their ack (views.open, views.update, a click's transaction, a
# note to the clicker), mostly waiting on Slack or the database; a request whose ack finds every
# listener thread busy waits for one, however quick its own work. So there are more of them
# than the HTTP server's threads (bot.slack.server.THREADS): a waiting thread costs no CPU.
LISTENER_THREADS = 48


class _WithoutRequestDetails(logging.Filter):
    """Bolt logs a refused request's signature, timestamp and whole body at INFO: up to 1 MB of
    an attacker's text per request; for a genuine request refused as stale, its response_url
    and trigger_id (live capabilities) and the legacy verification token. The fact is kept,
    the details are not."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg = "Invalid request signature detected (request not logged)"
            record.args = ()
        return True


class _WithoutTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and, told the client and
    `authorize` instead, warns at every start that it will not use it: that is by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(("As you gave `client` as well, `token`",
                                               "As `installation_store` or `authorize`"))


def _quiet_refusals() -> None:
    for name, kind in (("slack_bolt.RequestVerification", _WithoutRequestDetails),
                       ("slack_bolt.App", _WithoutTokenNotice)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())


def _refusals_at_info() -> None:
    """Bolt gives each of its loggers the root's level when it makes them (WARNING for the
    libraries, bot.ops.logs); a refused signature is a security event the operator sees."""
    logger = logging.getLogger("slack_bolt.RequestVerification")
    logger.setLevel(min(logging.INFO, logging.getLogger().getEffectiveLevel()))


def _one_workspace(token: str) -> Callable[..., AuthorizeResult]:
    """Every request is for the one workspace the bot token belongs to. Bolt's single-team
    default asks auth.test on the first request and answers "please install this app" while
    Slack fails it: a Slack outage at start-up would refuse every command and form."""
    def authorize(enterprise_id: str | None, team_id: str | None,
                  user_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token,
                               user_id=user_id)
    return authorize


def _without_token(client: WebClient) -> WebClient:
    """The client Bolt copies for each request (base URL, timeout, retries); the token comes
    from `authorize`, so Bolt need not be told it twice."""
    return WebClient(base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                     proxy=client.proxy, headers=client.headers, logger=client.logger,
                     retry_handlers=client.retry_handlers)


def _metered(context: BoltContext, next: Callable[[], BoltResponse | None],
             ) -> BoltResponse | None:
    """Bolt makes a plain WebClient per request; listeners get a metered copy of it."""
    if context.client is not None:
        context["client"] = metered_copy(context.client)
    return next()


def create_app(runtime: Runtime) -> App:
    _quiet_refusals()
    settings = runtime.settings
    secret = settings.slack_signing_secret
    token = runtime.client.token
    app = App(client=_without_token(runtime.client) if token else runtime.client,
              authorize=_one_workspace(token) if token else None,
              signing_secret=secret.get_secret_value() if secret else None,
              # Listeners ack as soon as they can and go on working after the response (a view
              # submission acks with its response_action once the request is stored).
              process_before_response=False,
              # Bolt's default is 5 threads, and acks then queue behind listeners still working
              # (see LISTENER_THREADS); they log with the request's subjects.
              listener_executor=ContextExecutor(max_workers=LISTENER_THREADS),
              token_verification_enabled=False)
    _refusals_at_info()

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

    app.middleware(_metered)

    @app.middleware
    def once_per_event(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        # Slack redelivers an event it thinks was missed; the event_id tells them apart.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            with runtime.store.unit_of_work() as session:
                if not record_event(session, str(event_id), now=runtime.clock()):
                    return BoltResponse(status=200, body="")
        return next()

    app.middleware(team_gate(runtime))

    for group in (commands, form, submitting, review, details_listener, home, deploy, tickets,
                  config_check, ticket_shortcut):
        group.register(app, runtime)
    return app
