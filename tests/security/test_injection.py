"""Mention and link injection: partner (and reviewer) text with Slack's mention and link
syntax goes through every free-text field of the request form and the ticket form, a
certificate's common name, uploaded file names, slash-command text, decision comments, ticket
replies and answers; the whole flow runs (card, DMs, ephemerals, manifest, App Home, modals,
slash-command answers). Afterwards no text the fake Slack recorded, nor any answer the bot
gave over HTTP, holds a live mention or link made from that text: everything Slack would
parse as mrkdwn (message text, and every mrkdwn object inside blocks and views, recursively)
holds only the bot's own mentions and links, and the partner's text is shown as typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from bot.devtools.fake_slack import RESPONSE_ACTION_METHOD, RESPONSE_URL_METHOD
from bot.devtools.view_inputs import option_labelled
from bot.rules.support import URGENT_CATEGORY
from bot.slack.text import escape
from tests.rules.certs import make_cert

from .conftest import (
    EXAMPLES,
    GROUP,
    MANIFEST_AT,
    MANIFEST_CHANNEL,
    PARTNER,
    REVIEW_CHANNEL,
    REVIEWER,
    REVIEWER2,
    SUPPORT_CHANNEL,
    TEAMMATE,
    World,
    eventually,
    text_of,
)

# What partners type. The reviewer ID in it is a reviewer who never acts in these tests, so a
# live <@U0REVIEW> anywhere can only have come from typed text.
PAYLOAD = ("<!channel> <!here> <!everyone> @channel @here @everyone <@U0REVIEW> "
           "<!subteam^S0GROUP> <#C0GENERAL> <https://evil.example|click here> "
           "<mailto:it@evil.example|IT desk> <!date^1392734382^{date}|x> "
           "*bold* _it_ ~strike~ `code` ```block``` &lt;!channel&gt; &amp;lt;@U0REVIEW&amp;gt;")
# For fields that refuse whitespace (an issuer) or are short (a ticket summary).
TIGHT = "<!channel><@U0REVIEW><!subteam^S0GROUP><https://evil.example|click>&lt;!here&gt;`*"
SHORT = "<!here> <@U0REVIEW> <https://evil.example|click here> &lt;!channel&gt; *x*"
# For names (an integration's name and agency are kept in 255 characters: test_field_lengths).
NAME = ("<!channel> <!here> <@U0REVIEW> <!subteam^S0GROUP> <https://evil.example|click here> "
        "&lt;!channel&gt; *b* `c`")

# The mentions and links the bot itself writes: people who act, the reviewer group on an
# urgent ticket, and links to its own cards.
BOT_MADE = re.compile(
    rf"<@(?:{PARTNER}|{TEAMMATE}|{REVIEWER}|{REVIEWER2})>|<!subteam\^{GROUP}>"
    r"|<https://slack\.com/archives/C[0-9A-Z]+/p[0-9]+\|review card>")
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral",
                   RESPONSE_URL_METHOD)


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every mrkdwn text object inside blocks, views, attachments: recursively."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        for inner in value.values():
            yield from mrkdwn_texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from mrkdwn_texts(inner)


def parsed_texts(world: World) -> list[tuple[str, str]]:
    """(where, text) for everything Slack would parse as mrkdwn, from every recorded call."""
    found: list[tuple[str, str]] = []
    for call in world.slack.calls:
        where = f"{call.method} {call.params.get('channel') or call.params.get('user_id') or ''}"
        if call.method in MESSAGE_METHODS and isinstance(call.params.get("text"), str) \
                and call.params.get("mrkdwn") not in (False, "false"):
            found.append((where, call.params["text"]))
        for key in ("blocks", "attachments", "view"):
            found += [(where, text) for text in mrkdwn_texts(call.params.get(key))]
        if call.method == RESPONSE_ACTION_METHOD:
            found += [(where, text) for text in mrkdwn_texts(call.params)]
    return found


def live_from_partner(text: str) -> list[str]:
    """What in `text` would mention or link, once the bot's own mentions are set aside."""
    rest = BOT_MADE.sub("", text)
    return re.findall(r"<[^>]*>?", rest)


class Flow:
    """The whole flow, typed by a partner who puts PAYLOAD everywhere."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.answers: list[tuple[str, str]] = []  # (what, the bot's HTTP answer text)
        self.errors: dict[str, str] = {}  # field errors shown (plain text, never parsed)

    def slash(self, command: str, text: str, user: str = PARTNER) -> str:
        answer = self.world.sender.slash_command(command, text, user_id=user).text
        self.answers.append((f"{command} {text[:20]}", answer))
        return answer

    def modal(self, user: str, send: Any) -> dict[str, Any]:
        before = self.world.view_calls()
        send()
        return self.world.view_of(user, before)

    def submit(self, view: dict[str, Any], user: str, values: dict[str, Any]) -> dict[str, Any]:
        answer = self.world.sender.view_submission(view, user_id=user, values=values).json()
        self.answers += [("view_submission", text) for text in mrkdwn_texts(answer)]
        return answer

    def file(self, view: dict[str, Any], user: str, values: dict[str, Any],
             clean: dict[str, Any] | None = None) -> dict[str, Any]:
        """Submit; fields refused with an error are shown once, then replaced from `clean`;
        when the form shows its warnings first, submit anyway (uploads are kept)."""
        values = dict(values)
        answer = self.submit(view, user, values)
        if answer.get("response_action") == "errors":
            assert clean is not None and set(answer["errors"]) <= set(clean), answer["errors"]
            self.errors.update(answer["errors"])
            values.update({name: clean[name] for name in answer["errors"]})
            answer = self.submit(view, user, values)
        if answer.get("response_action") == "update" and "Submit anyway" in text_of(
                answer["view"].get("submit")):
            answer = self.submit({**answer["view"], "id": view["id"]}, user,
                                 {**values, "logo": [], "certificates": []}
                                 if "logo" in values else values)
        return answer

    def note(self, user: str, action: str, message: dict[str, Any], text: str) -> None:
        sender = self.world.sender
        modal = self.modal(user, lambda: sender.block_action(action, user_id=user,
                                                             message=message))
        answer = sender.view_submission(modal, user_id=user, values={"note": text})
        assert answer.status_code == 200 and not answer.content, answer.text

    def card(self, channel: str, public_id: str) -> dict[str, Any]:
        self.world.deliver()
        return self.world.message_about(channel, public_id)

    def until(self, done: Any) -> None:
        def probe() -> bool:
            self.world.deliver()
            return bool(done())
        eventually(probe)


def launch_values() -> dict[str, Any]:
    """Every free-text input of the launch form typed with the payload. Those the rules
    refuse (URLs, the IAA number) are shown back as field errors once, then replaced by
    CLEAN_LAUNCH."""
    return {
        "app_name": f"Benefits Portal {PAYLOAD}", "friendly_name": f"Benefits {NAME}",
        "agency": f"Examples {NAME}", "description": PAYLOAD,
        "ial": "1", "default_aal": "1", "attribute_bundle": ["email", "verified_at"],
        "issuer": f"urn:gov:gsa:openidconnect.profiles:sp:sso:dhs:{TIGHT}",
        "logo": ["F0LOGO"], "certificates": ["F0CERT"],
        "redirect_uris": f"https://benefits.example.gov/auth/result\n{PAYLOAD}",
        "push_notification_url": f"<https://evil.example|{PAYLOAD}>",
        "help_text.sign_in": "blank", "help_text.sign_up": "first_time",
        "help_text.forgot_password": "troubleshoot_html",
        "iaa_number": f"LGABCFY210001-0001-0000 {SHORT}",
        "application_url": f"https://benefits.example.gov/{TIGHT}", "audience": "general_public",
        "estimated_annual_registrations": "120000",
        "contacts.program": f"Pat Doe {PAYLOAD}", "contacts.technical": f"Sam {PAYLOAD}",
        "contacts.billing": PAYLOAD, "contacts.help_desk": PAYLOAD,
        "attestations": ["iaa_lists_integration", "production_app_created",
                         "ato_environment", "logo_approved"],
    }


CLEAN_LAUNCH = {"redirect_uris": "https://benefits.example.gov/auth/result",
                "push_notification_url": "", "iaa_number": "LGABCFY210001-0001-0000",
                "application_url": "https://benefits.example.gov/"}


def ticket_values() -> dict[str, Any]:
    return {
        "category": URGENT_CATEGORY,  # the bot mentions the reviewer group: its own mention
        "environment": "production", "issuer": f"urn:x:{TIGHT}", "summary": SHORT,
        "description": PAYLOAD, "started": PAYLOAD, "ongoing": ["true"], "browser": PAYLOAD,
        "steps_to_reproduce": PAYLOAD, "production_account_email": f"pat.doe@example.gov {SHORT}",
        "technical_contact": PAYLOAD, "attachments": ["F0SHOT"],
    }


CLEAN_TICKET = {"production_account_email": "pat.doe@example.gov"}


def run_request_flow(flow: Flow) -> None:
    world, sender = flow.world, flow.world.sender
    view = flow.modal(PARTNER, lambda: flow.slash("/launch-request", ""))
    view = flow.modal(PARTNER, lambda: sender.block_action("pick_kind", user_id=PARTNER,
                                                           view=view, value="launch"))
    view = flow.modal(PARTNER, lambda: sender.block_action(
        "pick_protocol", user_id=PARTNER, view=view, value="oidc_private_key_jwt"))
    answer = flow.file(view, PARTNER, launch_values(), CLEAN_LAUNCH)
    assert "LR-1001" in text_of(answer["view"]), answer

    card = flow.card(REVIEW_CHANNEL, "LR-1001")
    flow.note(REVIEWER, "request_changes", card, f"Fix it {PAYLOAD}")
    flow.until(lambda: "Changes requested" in text_of(
        world.message_about(REVIEW_CHANNEL, "LR-1001")["blocks"]))
    flow.slash("/launch-request", "status LR-1001")
    flow.slash("/launch-request", "list")
    sender.app_home_opened(PARTNER, event_id="Ev0INJ1")
    sender.app_home_opened(REVIEWER, event_id="Ev0INJ2")
    eventually(lambda: world.slack.home_view(PARTNER) and world.slack.home_view(REVIEWER))

    dm = next(m for m in reversed(world.slack.dms_to(PARTNER)) if "reopen" in str(m))
    reopened = flow.modal(PARTNER, lambda: sender.block_action("reopen", user_id=PARTNER,
                                                               message=dm))
    assert "Asked for" in text_of(reopened["blocks"])
    answer = flow.file(reopened, PARTNER, {})
    assert "LR-1001" in text_of(answer["view"]), answer
    card = flow.card(REVIEW_CHANNEL, "LR-1001")
    sender.block_action("approve", user_id=REVIEWER, message=card)
    flow.until(lambda: "Approved" in text_of(
        world.message_about(REVIEW_CHANNEL, "LR-1001")["blocks"]))

    world.clock.now = MANIFEST_AT  # deploy day: the manifest, then Mark deployed
    world.bot.scheduler.tick("manifest")
    manifest = flow.card(MANIFEST_CHANNEL, "LR-1001")
    sender.block_action("mark_deployed", user_id=REVIEWER, message=manifest)
    flow.until(lambda: "Deployed" in text_of(world.slack.messages_in(MANIFEST_CHANNEL)))

    # A change to the integration just deployed: its current values (typed text) are shown.
    view = flow.modal(PARTNER, lambda: flow.slash("/launch-request", "new"))
    view = flow.modal(PARTNER, lambda: sender.block_action("pick_kind", user_id=PARTNER,
                                                           view=view, value="change"))
    view = flow.modal(PARTNER, lambda: sender.block_action(
        "pick_integration", user_id=PARTNER, view=view,
        value=option_labelled(view, "pick_integration", "Benefits")))
    assert "In production now" in text_of(view["blocks"])
    answer = flow.file(view, PARTNER, {
        "friendly_name": f"Renamed {NAME}", "change_summary": PAYLOAD,
        "add_redirect_uris": "https://claims.benefits.example.gov/auth/result",
        "attestations": ["iaa_lists_integration"]})
    assert "LR-1002" in text_of(answer.get("view")), answer
    card = flow.card(REVIEW_CHANNEL, "LR-1002")
    flow.note(REVIEWER, "reject", card, f"No {PAYLOAD}")
    flow.until(lambda: "Rejected" in text_of(
        world.message_about(REVIEW_CHANNEL, "LR-1002")["blocks"]))

    world.file_request(3, friendly_name=f"Third {NAME}")  # LR-1003, withdrawn with a reason
    assert "withdrawn" in flow.slash("/launch-request", f"withdraw LR-1003 {PAYLOAD}")
    flow.until(lambda: "Withdrawn" in text_of(
        world.message_about(REVIEW_CHANNEL, "LR-1003")["blocks"]))
    for text in (PAYLOAD, f"status {TIGHT}", f"withdraw {TIGHT}", "status LR-1002"):
        flow.slash("/launch-request", text)


def run_ticket_flow(flow: Flow) -> None:
    world, sender = flow.world, flow.world.sender
    view = flow.modal(PARTNER, lambda: flow.slash("/support-ticket", ""))
    answer = flow.file(view, PARTNER, ticket_values(), CLEAN_TICKET)
    assert "ST-1001" in text_of(answer["view"]), answer
    card = flow.card(SUPPORT_CHANNEL, "ST-1001")
    sender.block_action("ticket_claim", user_id=REVIEWER, message=card)
    flow.until(lambda: "In progress" in text_of(
        world.message_about(SUPPORT_CHANNEL, "ST-1001")["blocks"]))
    card = world.message_about(SUPPORT_CHANNEL, "ST-1001")
    flow.note(REVIEWER, "ticket_reply", card, f"Which one? {PAYLOAD}")
    flow.until(lambda: any("ticket_answer" in str(m) for m in world.slack.dms_to(PARTNER)))
    dm = next(m for m in reversed(world.slack.dms_to(PARTNER)) if "ticket_answer" in str(m))
    flow.note(PARTNER, "ticket_answer", dm, f"This one {PAYLOAD}")
    flow.until(lambda: world.slack.dms_to(REVIEWER))
    flow.slash("/support-ticket", "status ST-1001")
    flow.slash("/support-ticket", "list")
    sender.app_home_opened(PARTNER, event_id="Ev0INJ3")
    sender.app_home_opened(REVIEWER, event_id="Ev0INJ4")
    eventually(lambda: len(world.slack.calls_to("views.publish")) >= 4)
    card = world.message_about(SUPPORT_CHANNEL, "ST-1001")
    flow.note(REVIEWER, "ticket_resolve", card, f"Fixed {PAYLOAD}")
    flow.until(lambda: "Resolved" in text_of(
        world.message_about(SUPPORT_CHANNEL, "ST-1001")["blocks"]))
    for text in (PAYLOAD, f"status {TIGHT}", "status ST-1001"):
        flow.slash("/support-ticket", text)


def test_no_partner_text_becomes_a_live_mention_or_link(world: World) -> None:
    slack = world.slack
    slack.add_file("F0LOGO", "logo <!channel> @here.svg",
                   (EXAMPLES / "benefits-logo.svg").read_bytes())
    slack.add_file("F0CERT", "cert <@U0REVIEW>.pem",
                   make_cert(date(2026, 1, 1), date(2030, 6, 1),  # CERT-LIFETIME: a warning
                             common_name="<!here> <https://evil.example|x>"))
    slack.add_file("F0SHOT", "shot <!everyone>.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    flow = Flow(world)
    run_request_flow(flow)
    run_ticket_flow(flow)

    # The refused fields were shown back on their inputs (plain text: Slack parses nothing
    # in a field error).
    assert {"redirect_uris", "push_notification_url", "iaa_number"} <= set(flow.errors)
    texts = parsed_texts(world) + flow.answers
    live = [(where, token) for where, text in texts for token in live_from_partner(text)]
    assert not live, live
    assert not [c.method for c in slack.calls if c.params.get("link_names") not in
                (None, False, "false", "0", 0) or c.params.get("parse") == "full"]

    # The typed text did reach every surface, shown as typed (escaped), so the check above
    # looked at it: the review card, the partner's DMs, the manifest, the App Home, the
    # modals, the ticket card and DMs, and the bot's answers to slash commands.
    shown = escape("<!channel>")
    surfaces = {
        "review card": [t for w, t in texts if REVIEW_CHANNEL in w],
        "partner DM": [t for w, t in texts if w.startswith("chat.postMessage D0PARTNER")],
        "manifest": [t for w, t in texts if MANIFEST_CHANNEL in w],
        "App Home": [t for w, t in texts if w.startswith("views.publish")],
        "modals": [t for w, t in texts if w.startswith(("views.open", "views.update",
                                                       RESPONSE_ACTION_METHOD))],
        "ticket card": [t for w, t in texts if SUPPORT_CHANNEL in w],
        "support's DM": [t for w, t in texts if w.startswith("chat.postMessage D0STAFF")],
        "slash answers": [t for w, t in flow.answers if not w.startswith("view_submission")],
    }
    missing = [name for name, found in surfaces.items() if not any(shown in t for t in found)]
    assert not missing, missing
    everything = " ".join(t for _, t in texts)
    for typed in ("<https://evil.example|click here>", "<@U0REVIEW>", "<!subteam^S0GROUP>",
                  "&lt;!channel&gt;", "<#C0GENERAL>", "<!here> <https://evil.example|x>"):
        assert escape(typed) in everything, typed
    # The urgent ticket's own mention is there: the allow-list is not hiding everything.
    assert f"<!subteam^{GROUP}>" in everything


def test_the_scanner_finds_what_it_is_for() -> None:
    """The check itself: raw partner text is caught wherever it hides; the bot's own mentions
    and escaped text are not."""
    assert live_from_partner("hi <!channel>") == ["<!channel>"]
    assert live_from_partner("*<https://evil.example|x>*") == ["<https://evil.example|x>"]
    assert live_from_partner("`<@U0REVIEW>`") == ["<@U0REVIEW>"]
    assert live_from_partner("cut <!here") == ["<!here"]
    assert live_from_partner(f"by <@{REVIEWER}> for <!subteam^{GROUP}> " + escape(PAYLOAD)) == []
    view = {"blocks": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "<!here>"}],
                        "accessory": {"type": "button", "confirm": {
                            "text": {"type": "mrkdwn", "text": "<@U1>"}}}},
                       {"type": "section", "text": {"type": "plain_text", "text": "<!x>"}}]}
    assert list(mrkdwn_texts(view)) == ["<!here>", "<@U1>"]
