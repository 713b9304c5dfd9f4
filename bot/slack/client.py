"""The Slack Web API client the bot uses: SLACK_API_URL, the bot token, bounded retries.

slack_sdk's retry handlers absorb short blips (a dropped connection, one 429, one 500) inside a
call. Their counts stay small so a call is bounded: a listener must answer Slack within 3
seconds, and the outbox relay retries further itself, with backoff, across minutes.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.ops.metrics import SLACK_CALLS, slack_outcome

DEFAULT_TIMEOUT = 10  # seconds per HTTP attempt (slack_sdk takes whole seconds)
CONNECTION_RETRIES = 2
RATE_LIMIT_RETRIES = 1  # each one sleeps Retry-After (+ up to 1 s of jitter)
SERVER_ERROR_RETRIES = 2  # 500 and 503, with slack_sdk's backoff (0.5 s, 1 s, + jitter)


def retry_handlers(*, connection: int = CONNECTION_RETRIES, rate_limit: int = RATE_LIMIT_RETRIES,
                   server_error: int = SERVER_ERROR_RETRIES) -> list[RetryHandler]:
    """slack_sdk's handlers for connection errors, 429 (honouring Retry-After) and 5xx."""
    handlers: list[RetryHandler] = [ConnectionErrorRetryHandler(max_retry_count=connection)]
    if rate_limit:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit))
    if server_error:
        handlers.append(ServerErrorRetryHandler(max_retry_count=server_error))
    return handlers


def listener_handlers() -> list[RetryHandler]:
    """Inside a listener only a dropped connection is retried (at once). Slack waits 3 s for
    the answer and a trigger lasts 3 s, so sleeping on a 429 or a 500 there only holds a
    listener thread that other requests need (during a Slack outage, all of them); the user
    is told to try again instead. The relay, which retries across minutes, keeps the rest."""
    return retry_handlers(connection=1, rate_limit=0, server_error=0)


class MeteredWebClient(WebClient):
    """A WebClient that counts each call by method and outcome (`launchbot_slack_calls`):
    the outcome of the call as the caller sees it, after slack_sdk's own retries."""

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        outcome = "error"
        try:
            response = super().api_call(api_method, **kwargs)
            outcome = slack_outcome(response.status_code, bool(response.get("ok")))
            return response
        except SlackApiError as exc:
            outcome = slack_outcome(exc.response.status_code, False)
            raise
        finally:
            SLACK_CALLS.labels(api_method, outcome).inc()


def metered_copy(client: WebClient, token: str | None = None) -> WebClient:
    """A metered client with `client`'s base URL, timeout, retries and token (or `token`)."""
    copy = MeteredWebClient(token=token or client.token, base_url=client.base_url,
                            timeout=client.timeout, ssl=client.ssl, proxy=client.proxy,
                            headers=client.headers, logger=client.logger,
                            retry_handlers=client.retry_handlers)
    copy.default_params = dict(client.default_params)  # Bolt's team_id
    return copy


def make_client(settings: Settings, *, timeout: int = DEFAULT_TIMEOUT,
                handlers: list[RetryHandler] | None = None) -> WebClient:
    """A WebClient for `settings.slack_api_url` with the bot token and the retry handlers
    (`handlers` replaces them, e.g. `[]` in a test that wants failures as they come)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return MeteredWebClient(token=token, base_url=settings.slack_api_url, timeout=timeout,
                            retry_handlers=retry_handlers() if handlers is None else handlers)
