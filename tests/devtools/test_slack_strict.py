"""slack_strict: Slack's refusals, from its Web API spec, slack_sdk's models and its limits."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.devtools.block_limits import MAX_PRIVATE_METADATA
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_strict import (
    MAX_BLOCKS_TEXT,
    NEWER_METHODS,
    known_methods,
    message_problems,
    refusal,
    view_problems,
)


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def modal(*blocks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Launch request"), "submit": plain("Submit"),
            "blocks": list(blocks) or [section("hi")], **fields}


def options(n: int, value: str = "v") -> list[dict[str, Any]]:
    return [{"text": plain(f"Option {i}"), "value": f"{value}{i}"} for i in range(n)]


def select(opts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "input", "block_id": "pick", "label": plain("Pick"),
            "element": {"type": "static_select", "action_id": "pick", "options": opts}}


def post(blocks: list[dict[str, Any]], text: str = "fallback") -> dict[str, Any]:
    return {"channel": "C0REVIEW", "text": text, "blocks": blocks}


# Each case: (what, method, params, Slack's error). One per limit the fake enforces.
REFUSED = [
    ("unknown method", "chat.frobnicate", {"channel": "C1"}, "unknown_method"),
    ("missing channel", "chat.postMessage", {"text": "hi"}, "channel_not_found"),
    ("missing view", "views.publish", {"user_id": "U1"}, "invalid_arguments"),
    ("missing ts", "chat.update", {"channel": "C1", "text": "x"}, "invalid_arguments"),
    ("51 blocks in a message", "chat.postMessage",
     post([section(f"{i}") for i in range(51)]), "invalid_blocks"),
    ("101 blocks in a modal", "views.open",
     {"trigger_id": "t", "view": modal(*[section(f"{i}") for i in range(101)])},
     "invalid_arguments"),
    ("101 blocks on the Home tab", "views.publish",
     {"user_id": "U1", "view": {"type": "home", "blocks": [section("x")] * 101}},
     "invalid_arguments"),
    ("3,001 characters in a section", "chat.postMessage", post([section("x" * 3001)]),
     "invalid_blocks"),
    ("1,501 emoji in a section (3,002 UTF-16 units)", "chat.postMessage",
     post([section("😀" * 1501)]), "invalid_blocks"),
    ("12,001 characters across a message's blocks", "chat.postMessage",
     post([section("x" * 3000)] * 4 + [section("x")]), "msg_blocks_too_long"),
    ("40,001 characters of text", "chat.postMessage",
     {"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
    ("a 151-character option value", "views.open",
     {"trigger_id": "t", "view": modal(select(options(1, "v" * 150)))}, "invalid_arguments"),
    ("101 options in a select", "views.open",
     {"trigger_id": "t", "view": modal(select(options(101)))}, "invalid_arguments"),
    ("a 25-character modal title", "views.open",
     {"trigger_id": "t", "view": modal(title=plain("x" * 25))}, "invalid_arguments"),
    ("3,001 characters of private_metadata", "views.open",
     {"trigger_id": "t", "view": modal(private_metadata="x" * 3001)}, "invalid_arguments"),
    ("a 256-character action_id", "chat.postMessage", post([{"type": "actions", "elements": [
        {"type": "button", "text": plain("Go"), "action_id": "a" * 256}]}]), "invalid_blocks"),
    ("a 256-character block_id", "chat.postMessage",
     post([section("x", block_id="b" * 256)]), "invalid_blocks"),
    ("a 76-character button text", "chat.postMessage", post([{"type": "actions", "elements": [
        {"type": "button", "text": plain("x" * 76), "action_id": "go"}]}]), "invalid_blocks"),
    ("a 3,001-character plain_text_input value", "views.open", {"trigger_id": "t", "view": modal(
        {"type": "input", "block_id": "uris", "label": plain("URIs"),
         "element": {"type": "plain_text_input", "action_id": "v", "multiline": True,
                     "initial_value": "x" * 3001}})}, "invalid_arguments"),
    ("an unknown block type", "chat.postMessage", post([{"type": "frobnicate"}]),
     "invalid_blocks"),
    ("a date slack_sdk's DatePicker refuses", "views.open", {"trigger_id": "t", "view": modal(
        section("When?", accessory={"type": "datepicker", "action_id": "d",
                                    "initial_date": "2026-13-45"}))}, "invalid_arguments"),
]


@pytest.mark.parametrize(("what", "method", "params", "error"), REFUSED,
                         ids=[case[0] for case in REFUSED])
def test_refused_as_slack_refuses(what: str, method: str, params: dict[str, Any],
                                  error: str) -> None:
    found = refusal(method, params)
    assert found is not None, what
    assert found.error == error, found


def test_what_slack_accepts_passes() -> None:
    at_limit = post([section("x" * 3000)] * 4)
    assert refusal("chat.postMessage", at_limit) is None
    assert refusal("views.open", {"trigger_id": "t", "view": modal(
        select(options(100, "v" * 140)), private_metadata="x" * 3000,
        title=plain("x" * 24))}) is None
    assert message_problems("hi", [section("x" * 3000)] * 4) == []


def test_the_total_counts_every_text_object() -> None:
    blocks = [section("x" * 2000, fields=[{"type": "mrkdwn", "text": "y" * 1000}]),
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "z" * 3000}]},
              {"type": "header", "text": plain("h" * 150)}] * 3
    assert message_problems("t", blocks)[0] == "msg_blocks_too_long"
    assert MAX_BLOCKS_TEXT == 12_000


def test_methods_come_from_the_spec_and_a_short_list_of_newer_ones() -> None:
    methods = known_methods()
    assert {"chat.postMessage", "views.open", "usergroups.users.list"} <= set(methods)
    assert methods["chat.update"] == {"channel", "ts"}
    assert set(NEWER_METHODS) == {"files.getUploadURLExternal", "files.completeUploadExternal"}
    assert refusal("files.getUploadURLExternal", {"filename": "a.csv", "length": 3}) is None


# -- the fake Web API refuses each one, as Slack does ---------------------------------------

@pytest.mark.parametrize(("what", "method", "params", "error"), REFUSED,
                         ids=[case[0] for case in REFUSED])
def test_the_fake_refuses_each_limit(slack: FakeSlack, what: str, method: str,
                                     params: dict[str, Any], error: str) -> None:
    params = dict(params)
    if "trigger_id" in params:
        params["trigger_id"] = slack.issue_trigger("U0PARTNER")
    client = WebClient(token=slack.bot_token, base_url=slack.url, retry_handlers=[])
    with pytest.raises(SlackApiError) as refused:
        client.api_call(method, json=params)
    assert refused.value.response["error"] == error, refused.value.response.data
    assert not slack.messages_in("C0REVIEW")


def test_the_fake_answers_a_response_url_post_over_the_limit_with_400(
        slack: FakeSlack) -> None:
    url = slack.issue_response_url(channel_id="C0REVIEW", user_id="U0PARTNER")
    body = json.dumps({"text": "t", "blocks": [section("x" * 3000)] * 5}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as answered:
        urllib.request.urlopen(request, timeout=5)
    assert answered.value.code == 400 and answered.value.read() == b"msg_blocks_too_long"


def test_the_bundled_method_table_is_the_spec_s() -> None:
    # The demo runs where the spec is not beside the repository: the bundled table must say
    # what the spec says (regenerate: BUNDLED.write_text(bundle_methods(str(spec_path())))).
    from bot.devtools.slack_strict import BUNDLED, bundle_methods, spec_path

    assert BUNDLED.read_text(encoding="utf-8") == bundle_methods(str(spec_path()))


def test_without_the_spec_the_bundled_table_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.devtools import slack_strict

    def missing() -> Any:
        raise FileNotFoundError("no spec beside the repository")

    monkeypatch.setattr(slack_strict, "spec_path", missing)
    assert slack_strict.method_refusal("chat.postMessage", {"channel": "C1"}) is None
    assert slack_strict.method_refusal("chat.postMesage", {}) is not None


def test_a_view_judged_again_gets_the_same_verdict_whatever_its_metadata_says() -> None:
    def form(metadata: str, title: str = "New request") -> dict[str, Any]:
        return {"type": "modal", "callback_id": "remembered",
                "title": {"type": "plain_text", "text": title},
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
                "private_metadata": metadata}

    assert view_problems(form("a" * 10), "modal") == []
    assert view_problems(form("b" * 10), "modal") == []  # another form's key, same length
    too_long = view_problems(form("c" * (MAX_PRIVATE_METADATA + 1)), "modal")
    assert too_long and "private_metadata" in too_long[0]
    assert view_problems(form("d" * (MAX_PRIVATE_METADATA + 1)), "modal") == too_long
    assert view_problems(form("a" * 10, title="x" * 30), "modal")  # a title over 24
