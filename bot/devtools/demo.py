"""`launchbot demo`: the whole flow, on the real server and a real (throwaway) store, against a
simulated Slack. It is a sandbox: it never opens DATABASE_URL (a demo request filed into a
production database would be a real, approved request), but a fresh SQLite file in a temporary
directory that is removed at the end.

A partner files a launch request (field errors first), a reviewer asks for changes, the partner
resubmits, the reviewer approves, and the deploy-day manifest says what ships. Each step prints
what each person would see in Slack."""

from __future__ import annotations

import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from sqlalchemy import select

from bot.config import DEFAULT_DATABASE_URL, Settings
from bot.devtools import transcript
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_client import SignedSender
from bot.requests import manifest_for
from bot.requests.manifest import render_text
from bot.slack.people import display_names
from bot.slack.server import BackgroundServer, Bot, assemble
from bot.store.db import Store
from bot.store.migrate import upgrade
from bot.store.models import Request

PARTNER, REVIEWER = "U0PAT", "U0RAE"
REVIEW_CHANNEL = "C0REVIEW"
SECRET = secrets.token_hex(16)  # the simulated Slack and the bot share it for this run only
LOGO = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 171 40">'
        b'<rect width="40" height="40" fill="#1a4480"/>'
        b'<text x="50" y="26" font-size="16">Benefits Portal</text></svg>')


def _certificate(now: datetime) -> bytes:
    """A fresh self-signed certificate valid for two years (the demo's partner's)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "benefits.example.gov")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=730)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def _wait(probe: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError("the simulated Slack did not see the expected call")


class Demo:
    def __init__(self, slack: FakeSlack, bot: Bot, sender: SignedSender, out: TextIO) -> None:
        self.slack, self.bot, self.sender, self.out = slack, bot, sender, out
        self.step = 0

    def say(self, who: str, what: str, body: str = "") -> None:
        self.step += 1
        self.out.write(f"\n{self.step}. {who}" + (f": {what}" if what else "") + "\n")
        if body:
            self.out.write(body.rstrip() + "\n")

    def modal(self, user: str, after: int) -> dict[str, Any]:
        _wait(lambda: len([c for c in self.slack.calls
                           if c.method.startswith("views.") and c.ok]) > after)
        return self.slack.last_view(user, type="modal")

    def views(self) -> int:
        return len([c for c in self.slack.calls if c.method.startswith("views.") and c.ok])

    def deliver(self) -> None:
        while self.bot.relay.run_once():
            pass

    def card(self) -> dict[str, Any]:
        return _wait(lambda: self.slack.messages_in(REVIEW_CHANNEL))[-1]

    def show_card(self, note: str) -> None:
        self.say("Reviewers see, in #review", note, transcript.render(self.card()["blocks"]))

    def show_dm(self) -> None:
        dm = self.slack.dms_to(PARTNER)[-1]
        self.say("Pat gets a DM", "", transcript.render(dm["blocks"]))

    def settle(self, done: Callable[[], bool]) -> None:
        """Button clicks are acknowledged first and worked on right after: wait for the
        outcome, delivering the outbox as it fills."""
        _wait(lambda: self.bot.relay.run_once() or done())
        self.deliver()


def run(settings: Settings, out: TextIO) -> int:
    now = datetime.now(UTC)
    ignored = "" if settings.database_url == DEFAULT_DATABASE_URL else (
        " DATABASE_URL is ignored: the demo never touches a real database.")
    out.write("launchbot demo: a SANDBOX. Slack is SIMULATED and the store is a temporary "
              f"SQLite database, removed at the end.{ignored}\n")
    out.flush()
    with tempfile.TemporaryDirectory(prefix="launchbot-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        store = Store.from_url(url)
        sandbox = settings.model_copy(update={"database_url": url})
        try:
            _run(sandbox, store, now, out)
        finally:
            store.dispose()
    out.write("\nThat was Slack simulated, on a store that is now gone. To run it for real, "
              "create a Slack app from manifest.yml and start `launchbot serve` (see the "
              "README).\n")
    return 0


def _run(settings: Settings, store: Store, now: datetime, out: TextIO) -> None:
    issuer = "urn:gov:gsa:openidconnect.profiles:sp:sso:demo:benefits"
    # The bot is installed in the identity provider's workspace; the partner comes in over
    # Slack Connect, so their agency's team is made on first use, with no set-up.
    with FakeSlack(team_id="T0IDP", team_name="Identity provider") as slack:
        slack.add_team("T0AGENCY", "Agency Partners")
        slack.add_user(PARTNER, name="pat", team_id="T0AGENCY")
        slack.add_user(REVIEWER, name="rae", team_id="T0IDP")
        slack.add_usergroup("S0REVIEWERS", [REVIEWER])
        slack.add_file("F0LOGO", "benefits-logo.svg", LOGO)
        slack.add_file("F0CERT", "benefits-cert.pem", _certificate(now))
        demo_settings = settings.model_copy(update={
            "slack_bot_token": SecretStr(slack.bot_token),
            "slack_signing_secret": SecretStr(SECRET), "slack_api_url": slack.url,
            "review_channel": REVIEW_CHANNEL, "reviewer_group": "S0REVIEWERS",
            # The demo's URLs are examples: nothing is sent to them.
            "url_probes": False})
        bot = assemble(demo_settings, store)
        with BackgroundServer(bot.wsgi) as server, \
                SignedSender(server.url, SECRET, fake=slack) as sender:
            out.write(f"A fake Slack Web API runs on {slack.root_url}, and the real bot serves "
                      f"{server.url}/slack/events. Every request below is signed like Slack "
                      "signs it.\n")
            _walk(Demo(slack, bot, sender, out), issuer)
            day = _target(store, issuer)
            with store.reader() as session:
                items = [i for i in manifest_for(session, day) if i.issuer == issuer]
            out.write("\nOn deploy day, the manifest will say:\n")
            names = display_names(bot.runtime.client, [
                u for i in items for u in (i.requester_user_id, i.approved_by) if u])
            out.write(render_text(day, items, names) + "\n")


def _target(store: Store, issuer: str) -> date:
    with store.reader() as session:
        return session.scalars(select(Request.target_deploy_date)
                               .where(Request.issuer == issuer)).one()


LAUNCH = {
    "app_name": "Benefits Portal Production",
    "friendly_name": "Benefits Portal", "agency": "Department of Examples",
    "ial": "1", "default_aal": "2", "attribute_bundle": ["email"],
    "logo": ["F0LOGO"], "certificates": ["F0CERT"],
    "redirect_uris": "https://benefits.example.gov/auth/result\nhttp://localhost:3000/cb",
    "help_text.sign_in": "blank", "help_text.sign_up": "first_time",
    "help_text.forgot_password": "troubleshoot_html",
    "iaa_number": "LGABCFY210001-0001-0000", "application_url": "https://benefits.example.gov/",
    "audience": "general_public", "estimated_annual_registrations": "120000",
    "contacts.program": "Pat Doe - Program Manager - pat.doe@example.gov - (555) 555-5555",
    "contacts.technical": "Sam Roe - Engineer - sam.roe@example.gov - (555) 555-5556",
    "attestations": ["iaa_lists_integration", "production_app_created", "ato_environment",
                     "logo_approved"],
}


def _walk(demo: Demo, issuer: str) -> None:
    slack, sender = demo.slack, demo.sender
    before = demo.views()
    sender.slash_command("/launch-request", user_id=PARTNER, team_id="T0AGENCY")
    form = demo.modal(PARTNER, before)
    before = demo.views()
    sender.block_action("pick_kind", user_id=PARTNER, view=form, value="launch")
    form = demo.modal(PARTNER, before)
    before = demo.views()
    sender.block_action("pick_protocol", user_id=PARTNER, view=form,
                        value="oidc_private_key_jwt")
    form = demo.modal(PARTNER, before)
    demo.say("Pat (partner) types /launch-request", "the form opens (launch, OpenID Connect)",
             transcript.view({**form, "blocks": form["blocks"][:6]}) + "\n  │ …")

    values = {**LAUNCH, "issuer": issuer}
    answer = sender.view_submission(form, user_id=PARTNER, values=values).json()
    errors = "\n".join(f"  {field}: {message}" for field, message in answer["errors"].items())
    demo.say("Pat submits", "the form shows errors on the fields; nothing is filed", errors)

    values.update(app_name="DHS Benefits Portal",
                  redirect_uris="https://benefits.example.gov/auth/result")
    answer = sender.view_submission(form, user_id=PARTNER, values=values).json()
    demo.say("Pat fixes them and submits", "the form confirms",
             transcript.view(answer["view"]))
    demo.deliver()
    demo.show_card("a card with the request's essentials and buttons")
    demo.show_dm()

    before = demo.views()
    sender.block_action("request_changes", user_id=REVIEWER, message=demo.card(),
                        team_id="T0IDP")
    note = demo.modal(REVIEWER, before)
    sender.view_submission(note, user_id=REVIEWER, values={
        "note": "Please add the claims redirect URI we discussed."})
    demo.settle(lambda: "Changes requested" in transcript.render(demo.card()["blocks"]))
    demo.show_card("Rae (reviewer) clicks Request changes and writes a comment; the card "
                   "updates in place")
    demo.show_dm()

    before = demo.views()
    sender.block_action("reopen", user_id=PARTNER, message=slack.dms_to(PARTNER)[-1],
                        team_id="T0AGENCY")
    form = demo.modal(PARTNER, before)
    sender.view_submission(form, user_id=PARTNER, values={
        "redirect_uris": "https://benefits.example.gov/auth/result\n"
                         "https://claims.benefits.example.gov/auth/result"})
    demo.deliver()
    demo.show_card("Pat reopens the form (prefilled), adds the URI and resubmits")

    sender.block_action("approve", user_id=REVIEWER, message=demo.card(), team_id="T0IDP")
    demo.settle(lambda: "Approved" in transcript.render(demo.card()["blocks"]))
    demo.show_card("Rae approves")
    demo.show_dm()
