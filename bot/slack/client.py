"""The Slack Web API client the bot uses: SLACK_API_URL, the bot token, bounded retries.

slack_sdk's retry handlers absorb short blips (a dropped connection, one 429, one 500) inside a
call. Their counts stay small so a call is bounded: a listener must answer Slack within 3
seconds, and the outbox relay retries further itself, with backoff, across minutes.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings

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


def make_client(settings: Settings, *, timeout: int = DEFAULT_TIMEOUT,
                handlers: list[RetryHandler] | None = None) -> WebClient:
    """A WebClient for `settings.slack_api_url` with the bot token and the retry handlers
    (`handlers` replaces them, e.g. `[]` in a test that wants failures as they come)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=timeout,
                     retry_handlers=retry_handlers() if handlers is None else handlers)
