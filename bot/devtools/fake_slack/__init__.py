"""A fake Slack Web API over real HTTP, for the test suite and `launchbot demo`.

Modelled on bolt-python's mock web API server, but stateful: it keeps the messages, views, DMs
and triggers the bot creates, so a test (or the demo) can look at what each person would see.
It answers slack_sdk's WebClient as Slack does (JSON or form bodies, bearer token, `ok: false`
errors, 429 with Retry-After), refuses what Slack refuses (`slack_strict`: methods and
required arguments from Slack's published Web API spec, slack_sdk's Block Kit models, and the
limits in `block_limits`, with Slack's error codes), serves `files.info`, private file
downloads and files_upload_v2's upload (files.getUploadURLExternal, the upload URL,
files.completeUploadExternal), and response_url posts.

    with FakeSlack() as slack:
        client = WebClient(token=slack.bot_token, base_url=slack.url)

Everything is per instance (no globals): tests may run several side by side.

The package: `fake` (the workspace, failure injection, its queries and the method table),
`directory` (users, groups, channels, teams: users.info, team.info, ...), `messages` (chat.*,
conversations.open, response_url), `views` (triggers, views.*, response actions), `files`
(files.info, private downloads, uploads), `state` (calls, failures, errors), `server` (the
HTTP side).
"""

from bot.devtools.fake_slack.fake import FakeSlack
from bot.devtools.fake_slack.server import decode_params
from bot.devtools.fake_slack.state import (
    DISCONNECT,
    FILES_METHOD,
    RESPONSE_ACTION_METHOD,
    RESPONSE_URL_METHOD,
    Call,
    Clock,
    ManualClock,
    SlackError,
)

__all__ = ["DISCONNECT", "FILES_METHOD", "RESPONSE_ACTION_METHOD", "RESPONSE_URL_METHOD", "Call",
           "Clock", "FakeSlack", "ManualClock", "SlackError", "decode_params"]
