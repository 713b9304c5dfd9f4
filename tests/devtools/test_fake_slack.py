"""The fake Slack Web API answers slack_sdk's WebClient over real HTTP as Slack does."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import (
    ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler

from bot.devtools.fake_slack import DISCONNECT, FILES_METHOD, FakeSlack, ManualClock

MODAL: dict[str, Any] = {
    "type": "modal", "callback_id": "launch_form",
    "title": {"type": "plain_text", "text": "Launch request"},
    "submit": {"type": "plain_text", "text": "Submit"},
    "private_metadata": '{"key": "r-1"}',
    "blocks": [{"type": "input", "block_id": "app_name",
                "label": {"type": "plain_text", "text": "App name"},
                "element": {"type": "plain_text_input", "action_id": "value"}}],
}
HOME: dict[str, Any] = {"type": "home", "blocks": [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Your requests*"}}]}


def section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def slack_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


# -- auth -------------------------------------------------------------------------------------

def test_auth_test_answers_with_the_bot_identity(slack: FakeSlack, client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["ok"] and answer["user_id"] == slack.bot_user_id
    assert answer["team_id"] == slack.team_id and answer["bot_id"] == slack.bot_id


def test_wrong_token_is_invalid_auth_and_missing_token_not_authed(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-stolen", base_url=slack.url).chat_postMessage(channel="C1",
                                                                             text="hi")
    assert slack_error(wrong) == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=slack.url).auth_test()
    assert slack_error(missing) == "not_authed"
    assert slack.messages_in("C1") == []
    assert [c.error for c in slack.errors()] == ["invalid_auth", "not_authed"]


def test_token_in_a_form_body_is_accepted(slack: FakeSlack) -> None:
    client = WebClient(base_url=slack.url)
    assert client.api_call("auth.test", params={"token": slack.bot_token})["ok"]


# -- messages ---------------------------------------------------------------------------------

def test_post_message_stores_it_with_a_fresh_ts(slack: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C0REVIEW", text="card", blocks=[section("*card*")])
    second = client.chat_postMessage(channel="C0REVIEW", text="another")
    assert first["channel"] == "C0REVIEW" and first["ts"] != second["ts"]
    stored = slack.messages_in("C0REVIEW")
    assert [m["text"] for m in stored] == ["card", "another"]
    assert stored[0]["ts"] == first["ts"] and stored[0]["bot_id"] == slack.bot_id
    assert stored[0]["blocks"][0]["block_id"]  # Slack names unnamed blocks
    call = slack.calls_to("chat.postMessage")[0]
    assert call.params["blocks"][0]["text"]["text"] == "*card*"
    assert call.headers["Authorization"] == f"Bearer {slack.bot_token}"
    assert call.ok and call.time > 0


def test_form_encoded_blocks_are_decoded(slack: FakeSlack, client: WebClient) -> None:
    client.api_call("chat.postMessage", data={"channel": "C1", "text": "t",
                                              "blocks": '[{"type": "divider"}]'})
    assert slack.messages_in("C1")[0]["blocks"][0]["type"] == "divider"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_message_without_content_is_no_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1")
    assert slack_error(excinfo) == "no_text"


def test_update_replaces_in_place_and_unknown_ts_is_not_found(slack: FakeSlack,
                                                               client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="pending", blocks=[section("pending")])
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="approved",
                                 blocks=[section("approved by <@U1>")])
    assert updated["ts"] == posted["ts"] and updated["message"]["text"] == "approved"
    (message,) = slack.messages_in("C1")
    assert message["blocks"][0]["text"]["text"] == "approved by <@U1>"
    assert message["edited"]["user"] == slack.bot_user_id
    client.chat_update(channel="C1", ts=posted["ts"], text="text only")
    assert slack.message("C1", posted["ts"])["blocks"][0]["text"]["text"] == "approved by <@U1>"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert slack_error(excinfo) == "message_not_found"


def test_ephemeral_and_permalink(slack: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only reviewers decide")
    assert answer["message_ts"]
    assert [e["text"] for e in slack.ephemerals_to("U1")] == ["only reviewers decide"]
    assert slack.messages_in("C1") == []  # nobody else sees it
    posted = client.chat_postMessage(channel="C1", text="card")
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.endswith(f"/archives/C1/p{posted['ts'].replace('.', '')}")
    with pytest.raises(SlackApiError):
        client.chat_getPermalink(channel="C1", message_ts="9.000000")


def test_dms_through_conversations_open_or_user_id(slack: FakeSlack, client: WebClient) -> None:
    channel = client.conversations_open(users=["U0PARTNER"])["channel"]["id"]
    assert channel.startswith("D") and channel == slack.dm_channel_id("U0PARTNER")
    client.chat_postMessage(channel=channel, text="Request LR-1 received")
    posted = client.chat_postMessage(channel="U0PARTNER", text="Approved")
    assert posted["channel"] == channel  # posting to a user ID lands in the same DM
    assert [m["text"] for m in slack.dms_to("U0PARTNER")] == ["Request LR-1 received",
                                                              "Approved"]
    assert client.conversations_open(users="U0PARTNER")["already_open"] is True


def test_channel_the_bot_is_not_in(slack: FakeSlack, client: WebClient) -> None:
    slack.add_channel("C0SECRET", is_member=False)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0SECRET", text="x")
    assert slack_error(excinfo) == "not_in_channel"


# -- views ------------------------------------------------------------------------------------

def test_views_open_with_a_fresh_trigger(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.issue_trigger("U0PARTNER")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "launch_form" and view["private_metadata"] == '{"key": "r-1"}'
    assert view["state"] == {"values": {}} and view["root_view_id"] == view["id"]
    assert slack.last_view("U0PARTNER") == view == slack.last_view(view["id"])


def test_trigger_expires_after_three_seconds_and_works_once(timed_slack: FakeSlack,
                                                            clock: ManualClock) -> None:
    client = WebClient(token=timed_slack.bot_token, base_url=timed_slack.url)
    late = timed_slack.issue_trigger("U1")
    clock.advance(3.0)
    with pytest.raises(SlackApiError) as expired:
        client.views_open(trigger_id=late, view=MODAL)
    assert slack_error(expired) == "expired_trigger_id"
    fresh = timed_slack.issue_trigger("U1")
    clock.advance(2.9)
    client.views_open(trigger_id=fresh, view=MODAL)
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id=fresh, view=MODAL)
    assert slack_error(reused) == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as unknown:
        client.views_open(trigger_id="12345.98765.abcd2358fdea", view=MODAL)
    assert slack_error(unknown) == "invalid_trigger_id"


def test_views_update_by_id_with_hash(slack: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id=slack.issue_trigger("U1"), view=MODAL)["view"]
    changed = {**MODAL, "blocks": [*MODAL["blocks"], section("SAML fields")]}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=changed)["view"]
    assert updated["id"] == view["id"] and updated["hash"] != view["hash"]
    assert len(slack.view(view["id"])["blocks"]) == 2
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    assert slack_error(stale) == "hash_conflict"
    with pytest.raises(SlackApiError) as missing:
        client.views_update(view_id="V0NOPE", view=MODAL)
    assert slack_error(missing) == "not_found"


def test_views_push_stacks_up_to_three(slack: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=slack.issue_trigger("U1"), view=MODAL)["view"]
    top = root
    for _ in range(2):
        top = client.views_push(trigger_id=slack.issue_trigger("U1", view_id=top["id"]),
                                view=MODAL)["view"]
        assert top["root_view_id"] == root["id"]
    assert top["previous_view_id"] != root["id"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_push(trigger_id=slack.issue_trigger("U1", view_id=top["id"]), view=MODAL)
    assert slack_error(excinfo) == "push_limit_reached"


def test_views_publish_app_home(slack: FakeSlack, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view=HOME)["view"]
    second = client.views_publish(user_id="U1", view=HOME, hash=first["hash"])["view"]
    assert second["id"] == first["id"] and second["type"] == "home"
    assert slack.home_view("U1") == second == slack.last_view("U1", type="home")
    with pytest.raises(SlackApiError) as excinfo:
        client.views_publish(user_id="U1", view=HOME, hash=first["hash"])
    assert slack_error(excinfo) == "hash_conflict"
    with pytest.raises(SlackApiError):
        client.views_publish(user_id="U1", view=MODAL)  # a modal is not a home view


# -- users, groups, files ---------------------------------------------------------------------

def test_users_info_with_team_and_time_zone(slack: FakeSlack, client: WebClient) -> None:
    slack.add_user("U0GUEST", name="ana", team_id="T0OTHER", tz="America/Los_Angeles")
    user = client.users_info(user="U0GUEST")["user"]
    assert (user["team_id"], user["name"], user["tz"]) == ("T0OTHER", "ana",
                                                           "America/Los_Angeles")
    assert user["tz_offset"] in (-8 * 3600, -7 * 3600)
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U0NOBODY")
    assert slack_error(excinfo) == "user_not_found"


def test_usergroup_members(slack: FakeSlack, client: WebClient) -> None:
    slack.add_usergroup("S0REVIEW", ["U1", "U2"])
    assert client.usergroups_users_list(usergroup="S0REVIEW")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as excinfo:
        client.usergroups_users_list(usergroup="S0NOPE")
    assert slack_error(excinfo) == "no_such_subteam"


def test_files_info_and_download_needs_the_bot_token(slack: FakeSlack,
                                                      client: WebClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    slack.add_file("F0LOGO", "agency logo.png", png)
    info = client.files_info(file="F0LOGO")["file"]
    assert (info["name"], info["mimetype"], info["size"]) == ("agency logo.png", "image/png",
                                                             len(png))
    url = info["url_private_download"]
    assert url.startswith(f"{slack.root_url}/files-pri/{slack.team_id}-F0LOGO/")
    auth = {"Authorization": f"Bearer {slack.bot_token}"}
    got = httpx.get(url, headers=auth)
    assert got.status_code == 200 and got.content == png
    assert got.headers["content-type"] == "image/png"
    assert httpx.get(info["url_private"], headers=auth).content == png
    anonymous = httpx.get(url)
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["location"]
    followed = httpx.get(url, follow_redirects=True)  # what a careless client would save
    assert followed.headers["content-type"].startswith("text/html")
    assert httpx.get(url.replace(slack.team_id, "T0OTHER"), headers=auth).status_code == 404
    assert [c.status for c in slack.calls_to(FILES_METHOD)] == [200, 200, 302, 302, 404]
    with pytest.raises(SlackApiError) as excinfo:
        client.files_info(file="F0NOPE")
    assert slack_error(excinfo) == "file_not_found"


def test_latency_delays_every_answer_and_download(slack: FakeSlack, client: WebClient) -> None:
    slack.add_file("F0LOGO", "logo.png", b"\x89PNG\r\n\x1a\n")
    slack.latency = 0.25
    started = time.monotonic()
    info = client.files_info(file="F0LOGO")["file"]
    answered = time.monotonic()
    got = httpx.get(info["url_private_download"],
                    headers={"Authorization": f"Bearer {slack.bot_token}"})
    downloaded = time.monotonic()
    assert got.status_code == 200 and got.content == b"\x89PNG\r\n\x1a\n"
    assert answered - started >= 0.25 and downloaded - answered >= 0.25
    # Each request waits in its own thread: four at once take one latency, not four.
    slack.latency = 0.4
    with ThreadPoolExecutor(4) as pool:
        started = time.monotonic()
        assert all(r["ok"] for r in pool.map(lambda _: client.files_info(file="F0LOGO"),
                                               range(4)))
    assert 0.4 <= time.monotonic() - started < 1.6


# -- limits -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "pointer"), [
    (lambda v: v["title"].update(text="A title of 25 characters!"), "/view/title/text"),
    (lambda v: v.update(submit={"type": "plain_text", "text": "S" * 25}), "/view/submit/text"),
    (lambda v: v.update(private_metadata="m" * 3001), "/view/private_metadata"),
    (lambda v: v.update(callback_id="c" * 256), "/view/callback_id"),
    (lambda v: v.update(blocks=[section(str(i)) for i in range(101)]), "/view/blocks"),
    (lambda v: v["blocks"].append(section("x" * 3001)), "/view/blocks/1/text/text"),
    (lambda v: v["blocks"].append(section("dup", "app_name")), "/view/blocks/1/block_id"),
    (lambda v: v["blocks"].append(section("long id", "b" * 256)), "/view/blocks/1/block_id"),
], ids=["title", "submit", "metadata", "callback", "101-blocks", "section-text", "dup-block",
        "block-id"])
def test_views_over_the_limits_are_invalid_arguments(slack: FakeSlack, client: WebClient,
                                                     change: Any, pointer: str) -> None:
    view = {**MODAL, "title": dict(MODAL["title"]), "blocks": list(MODAL["blocks"])}
    change(view)
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=slack.issue_trigger("U1"), view=view)
    body = excinfo.value.response.data
    assert body["error"] == "invalid_arguments"
    assert any(m.startswith("[ERROR] ") and m.endswith(f"[json-pointer:{pointer}]")
               for m in body["response_metadata"]["messages"]), body
    assert slack.last_view("U1") is None


def test_a_refused_view_leaves_the_trigger_usable(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.issue_trigger("U1")
    with pytest.raises(SlackApiError):
        client.views_open(trigger_id=trigger, view={**MODAL, "private_metadata": "m" * 3001})
    assert client.views_open(trigger_id=trigger, view=MODAL)["ok"]


def test_messages_over_the_limits(slack: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as blocks:
        client.chat_postMessage(channel="C1", text="t",
                                blocks=[section(str(i)) for i in range(51)])
    assert blocks.value.response["error"] == "invalid_blocks"
    assert blocks.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 51 items [json-pointer:/blocks]"]
    with pytest.raises(SlackApiError) as inputs:
        client.chat_postMessage(channel="C1", text="t", blocks=MODAL["blocks"])
    assert "only allowed in modals" in inputs.value.response["errors"][0]
    with pytest.raises(SlackApiError) as long_text:
        client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert slack_error(long_text) == "msg_too_long"
    posted = client.chat_postMessage(channel="C1", text="x" * 40_000,
                                     blocks=[section(str(i)) for i in range(50)])
    with pytest.raises(SlackApiError) as update:
        client.chat_update(channel="C1", ts=posted["ts"], text="y",
                           blocks=[section("y" * 3001)])
    assert slack_error(update) == "invalid_blocks"


# -- failure injection ------------------------------------------------------------------------

def test_fail_next_answers_429_with_retry_after(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next(1, status=429, retry_after=7, method="chat.postMessage")
    assert client.auth_test()["ok"]  # another method is not affected
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "7"
    assert excinfo.value.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


def test_fail_next_500_has_a_json_body(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next(2, status=500)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.auth_test()
        assert excinfo.value.response.status_code == 500
        assert excinfo.value.response["ok"] is False
    assert client.auth_test()["ok"]


def test_fail_for_is_an_outage_on_the_injected_clock(timed_slack: FakeSlack,
                                                     clock: ManualClock) -> None:
    client = WebClient(token=timed_slack.bot_token, base_url=timed_slack.url, retry_handlers=[])
    timed_slack.fail_for(120, status=503)
    clock.advance(119)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x")
    assert excinfo.value.response.status_code == 503
    clock.advance(1)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    timed_slack.fail_for(60)
    timed_slack.heal()
    assert client.auth_test()["ok"]


def test_retry_handlers_ride_out_an_outage_and_post_once(slack: FakeSlack) -> None:
    # The handlers share one attempt counter: each max_retry_count caps the total retries.
    fast = FixedValueRetryIntervalCalculator(0.02)
    client = WebClient(token=slack.bot_token, base_url=slack.url, retry_handlers=[
        ConnectionErrorRetryHandler(max_retry_count=5, interval_calculator=fast),
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=5, interval_calculator=fast),
    ])
    slack.fail_next(1, status=DISCONNECT)
    slack.fail_next(1, status=500)
    slack.fail_next(1, status=429, retry_after=1)
    started = time.monotonic()
    posted = client.chat_postMessage(channel="C0REVIEW", text="card")
    assert posted["ok"] and time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [0, 500, 429, 200]
    assert [m["ts"] for m in slack.messages_in("C0REVIEW")] == [posted["ts"]]


def test_retry_through_a_timed_outage(slack: FakeSlack) -> None:
    client = WebClient(token=slack.bot_token, base_url=slack.url, retry_handlers=[
        ServerErrorRetryHandler(max_retry_count=30,
                                interval_calculator=FixedValueRetryIntervalCalculator(0.05))])
    slack.fail_for(0.3, status=500)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    statuses = [c.status for c in slack.calls_to("chat.postMessage")]
    assert statuses[-1] == 200 and set(statuses[:-1]) == {500} and len(statuses) >= 3


def test_failures_apply_to_file_downloads_too(slack: FakeSlack) -> None:
    slack.add_file("F1", "cert.pem", b"-----BEGIN CERTIFICATE-----")
    slack.fail_next(1, status=503, method=FILES_METHOD)
    url = slack.file_info("F1")["url_private_download"]
    auth = {"Authorization": f"Bearer {slack.bot_token}"}
    assert httpx.get(url, headers=auth).status_code == 503
    assert httpx.get(url, headers=auth).status_code == 200


# -- recorder ---------------------------------------------------------------------------------

def test_wait_for_calls_made_from_another_thread(slack: FakeSlack, client: WebClient) -> None:
    def relay() -> None:
        time.sleep(0.05)
        for i in range(2):
            client.chat_postMessage(channel="C1", text=str(i))

    threading.Thread(target=relay).start()
    assert len(slack.wait_for("chat.postMessage", count=2, timeout=5)) == 2
    with pytest.raises(TimeoutError, match=r"0/1 ok views\.open"):
        slack.wait_for("views.open", timeout=0.05)


def test_reset_forgets_activity_but_keeps_configuration(slack: FakeSlack,
                                                        client: WebClient) -> None:
    slack.add_user("U1")
    client.chat_postMessage(channel="C1", text="x")
    slack.fail_next(5)
    slack.reset()
    assert slack.calls == [] and slack.messages_in("C1") == []
    assert client.users_info(user="U1")["ok"]


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.scheduleMessage", json={"channel": "C1", "text": "x"})
    assert slack_error(excinfo) == "unknown_method"


def test_concurrent_posts_all_land_with_unique_ts(slack: FakeSlack) -> None:
    def post(i: int) -> None:
        WebClient(token=slack.bot_token, base_url=slack.url).chat_postMessage(channel="C1",
                                                                              text=str(i))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = slack.messages_in("C1")
    assert len(messages) == 32 and len({m["ts"] for m in messages}) == 32


def test_two_fakes_side_by_side() -> None:
    with FakeSlack() as one, FakeSlack(bot_token="xoxb-two") as two:
        assert one.port != two.port
        WebClient(token="xoxb-two", base_url=two.url).chat_postMessage(channel="C1", text="x")
        assert one.calls == [] and len(two.calls) == 1
    with pytest.raises(RuntimeError):
        _ = one.url


def test_response_actions_are_applied_like_slack(slack: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id=slack.issue_trigger("U1"), view=MODAL)["view"]
    changed = {**MODAL, "blocks": [*MODAL["blocks"], section("Step 2")]}
    assert slack.apply_response_action(view, {"response_action": "update", "view": changed},
                                       "U1") == []
    assert len(slack.view(view["id"])["blocks"]) == 2
    assert slack.apply_response_action(view, {"response_action": "push", "view": MODAL},
                                       "U1") == []
    pushed = slack.last_view("U1")
    assert pushed["id"] != view["id"] and pushed["root_view_id"] == view["id"]
    assert slack.apply_response_action(view, {"response_action": "clear"}, "U1") == []
    bad = {"response_action": "update", "view": {**MODAL, "title": {"type": "plain_text",
                                                                    "text": "T" * 25}}}
    assert slack.apply_response_action(view, bad, "U1")
    assert [c.ok for c in slack.calls_to("response_action")] == [True, True, True, False]
    assert len(slack.view(view["id"])["blocks"]) == 2  # the refused update changed nothing
