"""SignedSender: real signatures, and payloads a real Bolt app (served over HTTP, talking to the
fake Web API) parses the way it parses Slack's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.devtools.fake_slack import RESPONSE_ACTION_METHOD, RESPONSE_URL_METHOD, FakeSlack
from bot.devtools.slack_client import SignedSender, Signing
from bot.devtools.view_inputs import find_element, state_values

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PARTNER = "U0PARTNER"


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value.upper()), "value": value}


def form(*, saml: bool = False) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "input", "block_id": "app_name", "label": plain("App name"),
         "element": {"type": "plain_text_input", "action_id": "value"}},
        {"type": "input", "block_id": "protocol", "label": plain("Protocol"),
         "dispatch_action": True,
         "element": {"type": "static_select", "action_id": "protocol",
                     "options": [option("oidc"), option("saml")],
                     "initial_option": option("saml" if saml else "oidc")}},
        {"type": "input", "block_id": "attestations", "label": plain("Attestations"),
         "element": {"type": "checkboxes", "action_id": "checked",
                     "options": [option("ato"), option("privacy")]}},
        {"type": "input", "block_id": "logo", "label": plain("Logo"), "optional": True,
         "element": {"type": "file_input", "action_id": "files", "max_files": 1}},
        {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Hi"}},
    ]
    if saml:
        blocks.insert(2, {"type": "input", "block_id": "acs_url", "label": plain("ACS URL"),
                          "element": {"type": "url_text_input", "action_id": "value"}})
    return {"type": "modal", "callback_id": "launch_form", "notify_on_close": True,
            "title": plain("Launch request"), "submit": plain("Submit"),
            "private_metadata": '{"key": "k-1"}', "blocks": blocks}


CARD = [{"type": "section", "text": {"type": "mrkdwn", "text": "*LR-1* Benefits"}},
        {"type": "actions", "block_id": "decide", "elements": [
            {"type": "button", "action_id": "approve", "text": plain("Approve"),
             "style": "primary", "value": "LR-1"}]}]


def make_app(slack: FakeSlack, seen: list[tuple[str, Any]]) -> App:
    """A small Bolt app shaped like launchbot's listeners: records what each listener got."""
    client = WebClient(token=slack.bot_token, base_url=slack.url)
    app = App(signing_secret=SECRET, client=client,
              process_before_response=True)

    @app.command("/launch-request")
    def command(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        seen.append(("command", body))
        if body["text"] == "help":
            respond("Usage: /launch-request [status ID | list | withdraw ID | help]")
        else:
            client.views_open(trigger_id=body["trigger_id"], view=form())

    @app.view("launch_form")
    def submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        seen.append(("submit", body))
        values = view["state"]["values"]
        name = values["app_name"]["value"]["value"]
        if not name:
            ack(response_action="errors", errors={"app_name": "Enter the app's name"})
            return
        if name == "wrong block":
            ack(response_action="errors", errors={"intro": "not an input"})
            return
        size = 0
        for file in values["logo"]["files"]["files"]:
            got = httpx.get(file["url_private_download"],
                            headers={"Authorization": f"Bearer {client.token}"})
            size += len(got.content)
        ack()
        checked = [o["value"] for o in values["attestations"]["checked"]["selected_options"]]
        client.chat_postMessage(channel=body["user"]["id"],
                                text=f"Filed {name} ({body['user']['team_id']}) "
                                     f"{checked} logo={size}")

    @app.view_closed("launch_form")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.append(("closed", body))

    @app.action("protocol")
    def protocol(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.append(("protocol", body))
        saml = body["actions"][0]["selected_option"]["value"] == "saml"
        client.views_update(view_id=body["view"]["id"], hash=body["view"]["hash"],
                            view=form(saml=saml))

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        seen.append(("approve", body))
        client.chat_update(channel=body["channel"]["id"], ts=body["message"]["ts"],
                           text="Approved", blocks=[CARD[0]])
        respond(text="You approved LR-1", replace_original=False)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient, request: BoltRequest) -> None:
        seen.append(("home", request.headers.get("x-slack-retry-num")))
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "Your requests"}}]})

    return app


class _BoltHandler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        headers = {k.lower(): [v] for k, v in self.headers.items()}
        response = self.server.app.dispatch(BoltRequest(body=body, headers=headers))
        payload = response.body.encode()
        self.send_response(response.status)
        for key, value in response.first_headers_without_set_cookie().items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def seen() -> list[tuple[str, Any]]:
    return []


@pytest.fixture
def sender(slack: FakeSlack, seen: list[tuple[str, Any]]) -> Iterator[SignedSender]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BoltHandler)
    server.app = make_app(slack, seen)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    with SignedSender(f"http://127.0.0.1:{server.server_address[1]}", SECRET,
                      fake=slack) as signed:
        yield signed
    server.shutdown()
    server.server_close()


# -- signatures -------------------------------------------------------------------------------

def test_signatures_slacks_verifier_accepts_and_refuses() -> None:
    sender = SignedSender("http://127.0.0.1:9", SECRET)
    verifier = SignatureVerifier(SECRET)
    body = "token=x&command=%2Flaunch-request"
    assert sender.url == "http://127.0.0.1:9/slack/events"
    assert verifier.is_valid_request(body, sender.signed_headers(body))
    for signing in (Signing.FORGED, Signing.REPLAYED, Signing.MISSING):
        assert not verifier.is_valid_request(body, sender.signed_headers(body, signing)), signing
    replayed = sender.signed_headers(body, Signing.REPLAYED)
    assert SignatureVerifier(SECRET, clock=_At(int(replayed["X-Slack-Request-Timestamp"]))) \
        .is_valid_request(body, replayed)  # the signature itself is right; only its age fails
    assert not verifier.is_valid_request(body + "&x=1", sender.signed_headers(body))
    sender.close()


class _At:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


@pytest.mark.parametrize("signing", [Signing.FORGED, Signing.REPLAYED, Signing.MISSING])
def test_bad_signatures_get_401_and_reach_no_listener(slack: FakeSlack, sender: SignedSender,
                                                      seen: list[tuple[str, Any]],
                                                      signing: Signing) -> None:
    assert sender.slash_command("/launch-request", user_id=PARTNER,
                                signing=signing).status_code == 401
    assert sender.app_home_opened(PARTNER, signing=signing).status_code == 401
    assert seen == [] and slack.calls_to("views.open") == []


# -- the flow through Bolt --------------------------------------------------------------------

def test_slash_command_opens_a_modal_within_the_trigger_window(
        slack: FakeSlack, sender: SignedSender, seen: list[tuple[str, Any]]) -> None:
    response = sender.slash_command("/launch-request", "", user_id=PARTNER,
                                    channel_id="C0PARTNERS")
    assert response.status_code == 200
    (kind, body), = seen
    assert kind == "command" and body["user_id"] == PARTNER and body["team_id"] == slack.team_id
    assert body["channel_id"] == "C0PARTNERS" and body["api_app_id"] == slack.app_id
    view = slack.last_view(PARTNER)
    assert view is not None and view["callback_id"] == "launch_form"
    assert slack.errors() == []


def test_help_through_the_response_url(slack: FakeSlack, sender: SignedSender) -> None:
    assert sender.slash_command("/launch-request", "help", user_id=PARTNER,
                                channel_id="C0PARTNERS").status_code == 200
    (ephemeral,) = slack.ephemerals_to(PARTNER, "C0PARTNERS")
    assert ephemeral["text"].startswith("Usage:") and ephemeral["via"] == "response_url"
    assert len(slack.calls_to(RESPONSE_URL_METHOD)) == 1


def test_submit_errors_then_success_with_an_upload(
        slack: FakeSlack, sender: SignedSender, seen: list[tuple[str, Any]]) -> None:
    slack.add_user(PARTNER, name="ana", team_id="T0OTHERAGENCY")  # Slack Connect guest
    slack.add_file("F0LOGO", "logo.png", b"\x89PNG" + b"\0" * 96)
    sender.slash_command("/launch-request", user_id=PARTNER)
    view = slack.last_view(PARTNER)
    assert view is not None

    first = sender.view_submission(view, user_id=PARTNER, values={"app_name": ""})
    assert first.json() == {"response_action": "errors",
                            "errors": {"app_name": "Enter the app's name"}}
    assert slack.calls_to(RESPONSE_ACTION_METHOD)[-1].ok
    submitted = seen[-1][1]
    assert submitted["view"]["id"] == view["id"] and submitted["view"]["hash"] == view["hash"]
    assert submitted["view"]["private_metadata"] == '{"key": "k-1"}'
    assert submitted["user"] == {"id": PARTNER, "username": "ana", "name": "ana",
                                 "team_id": "T0OTHERAGENCY"}
    assert submitted["team"]["id"] == slack.team_id and submitted["trigger_id"]
    assert submitted["view"]["state"]["values"]["logo"] == {"files": {"type": "file_input",
                                                                      "files": []}}

    second = sender.view_submission(view, user_id=PARTNER, values={
        "app_name": "Benefits", "attestations": ["ato", "privacy"], "logo": ["F0LOGO"]})
    assert second.status_code == 200 and second.content == b""
    (dm,) = slack.dms_to(PARTNER)
    assert dm["text"] == "Filed Benefits (T0OTHERAGENCY) ['ato', 'privacy'] logo=100"
    assert slack.errors() == []


def test_an_errors_answer_on_a_non_input_block_is_refused(slack: FakeSlack,
                                                          sender: SignedSender) -> None:
    sender.slash_command("/launch-request", user_id=PARTNER)
    view = slack.last_view(PARTNER)
    assert view is not None
    sender.view_submission(view, user_id=PARTNER, values={"app_name": "wrong block"})
    (refused,) = slack.errors()
    assert refused.method == RESPONSE_ACTION_METHOD and refused.error == "invalid_arguments"


def test_dispatching_select_updates_the_form_keeping_what_was_typed(
        slack: FakeSlack, sender: SignedSender, seen: list[tuple[str, Any]]) -> None:
    sender.slash_command("/launch-request", user_id=PARTNER)
    view = slack.last_view(PARTNER)
    assert view is not None
    response = sender.block_action("protocol", user_id=PARTNER, view=view, value="saml",
                                   values={"app_name": "Benefits"})
    assert response.status_code == 200
    body = seen[-1][1]
    assert body["container"] == {"type": "view", "view_id": view["id"]}
    assert body["actions"][0]["selected_option"]["value"] == "saml"
    state = body["view"]["state"]["values"]
    assert state["app_name"]["value"] == {"type": "plain_text_input", "value": "Benefits"}
    assert state["protocol"]["protocol"]["selected_option"]["value"] == "saml"
    updated = slack.view(view["id"])
    assert updated is not None and updated["hash"] != view["hash"]
    assert [b["block_id"] for b in updated["blocks"]][:3] == ["app_name", "protocol", "acs_url"]


def test_button_on_a_card_updates_it_and_responds(slack: FakeSlack, sender: SignedSender,
                                                  seen: list[tuple[str, Any]]) -> None:
    WebClient(token=slack.bot_token, base_url=slack.url).chat_postMessage(
        channel="C0REVIEW", text="LR-1", blocks=CARD)
    (card,) = slack.messages_in("C0REVIEW")
    assert sender.block_action("approve", user_id="U0REVIEWER", message=card).status_code == 200
    body = seen[-1][1]
    assert body["actions"][0]["value"] == "LR-1" and body["actions"][0]["block_id"] == "decide"
    assert body["container"]["message_ts"] == card["ts"] and body["channel"]["id"] == "C0REVIEW"
    assert body["message"]["ts"] == card["ts"] and "channel" not in body["message"]
    (updated,) = slack.messages_in("C0REVIEW")
    assert updated["text"] == "Approved" and len(updated["blocks"]) == 1
    assert [e["text"] for e in slack.ephemerals_to("U0REVIEWER")] == ["You approved LR-1"]
    with pytest.raises(ValueError, match="no element with action_id 'reject'"):
        sender.block_action("reject", user_id="U0REVIEWER", message=card)


def test_view_closed(slack: FakeSlack, sender: SignedSender,
                     seen: list[tuple[str, Any]]) -> None:
    sender.slash_command("/launch-request", user_id=PARTNER)
    view = slack.last_view(PARTNER)
    assert view is not None
    assert sender.view_closed(view, user_id=PARTNER).status_code == 200
    assert seen[-1][0] == "closed" and seen[-1][1]["is_cleared"] is False


def test_app_home_opened_and_redelivery_headers(slack: FakeSlack, sender: SignedSender,
                                                seen: list[tuple[str, Any]]) -> None:
    assert sender.app_home_opened(PARTNER, event_id="Ev0001").status_code == 200
    home = slack.home_view(PARTNER)
    assert home is not None and home["type"] == "home"
    assert sender.last_payload is not None and "view" not in sender.last_payload["event"]
    sender.app_home_opened(PARTNER, event_id="Ev0002")
    assert sender.last_payload["event"]["view"] == home  # Slack sends the published view
    assert sender.event(sender.last_payload["event"], event_id="Ev0001",
                        retry_num=1).status_code == 200
    assert [s for s in seen if s[0] == "home"] == [("home", None), ("home", None), ("home", ["1"])]


def test_url_verification(sender: SignedSender) -> None:
    response = sender.url_verification("abc123")
    assert response.status_code == 200 and response.json() == {"challenge": "abc123"}


# -- state helpers ----------------------------------------------------------------------------

def test_state_values_shapes_and_initial_values(slack: FakeSlack) -> None:
    slack.add_file("F1", "cert.pem", b"pem")
    view = form(saml=True)
    state = state_values(view, {"acs_url": "https://sp.example.gov/acs",
                                "attestations": ["ato"], "logo": ["F1"]},
                         file_info=slack.file_info)
    assert set(state) == {"app_name", "protocol", "acs_url", "attestations", "logo"}
    assert state["app_name"] == {"value": {"type": "plain_text_input", "value": None}}
    assert state["protocol"]["protocol"]["selected_option"] == option("saml")  # initial
    assert state["acs_url"]["value"]["value"] == "https://sp.example.gov/acs"
    assert state["attestations"]["checked"]["selected_options"] == [option("ato")]
    (file,) = state["logo"]["files"]["files"]
    assert file["id"] == "F1" and file["url_private_download"].endswith("/download/cert.pem")
    with pytest.raises(ValueError, match="no input block"):
        state_values(view, {"intro": "x"})
    with pytest.raises(ValueError, match="no option with value 'ws-fed'"):
        state_values(view, {"protocol": "ws-fed"})


def test_find_element() -> None:
    assert find_element(CARD, "approve")[0] == "decide"
    assert find_element(form()["blocks"], "protocol")[1]["type"] == "static_select"
