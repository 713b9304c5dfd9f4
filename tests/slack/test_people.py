"""Display names for texts read outside Slack, from users.info; an unknown user stays an ID."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack
from bot.slack.people import display_names


def test_display_names_from_users_info() -> None:
    with FakeSlack() as slack:
        slack.add_user("U0RAE", name="rae")
        slack.add_user("U0PAT", name="pat", real_name="Pat Doe")
        client = WebClient(token=slack.bot_token, base_url=slack.url)
        assert display_names(client, ["U0RAE", "U0PAT", "U0GONE", "U0RAE"]) == {
            "U0RAE": "rae", "U0PAT": "pat"}
