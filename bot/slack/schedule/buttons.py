"""The manifest's buttons: Mark deployed and Slip to next deploy (deployers are reviewers).
The manifest re-renders in place and the partner hears of it through the outbox; a refusal
(not a deployer, already deployed) is told to the clicker alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.requests import Actor
from bot.schedule.deploy_day import deploy_from_manifest, slip_from_manifest
from bot.slack.ids import Action
from bot.slack.listening import actor, clicked_value, run_click, tell
from bot.slack.runtime import Runtime
from bot.slack.schedule.deploy import DeployButton


def register(app: App, runtime: Runtime) -> None:
    @app.action(Action.mark_deployed.value)
    def on_mark_deployed(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        _run(runtime, client, body, who, lambda session, button: deploy_from_manifest(
            session, button.request, actor=who, now=runtime.clock(), day=button.day))

    @app.action(Action.slip.value)
    def on_slip(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        who = actor(runtime, body)
        _run(runtime, client, body, who, lambda session, button: slip_from_manifest(
            session, button.request, actor=who, now=runtime.clock(),
            calendar=runtime.calendar, day=button.day))


def _run(runtime: Runtime, client: WebClient, body: dict[str, Any], who: Actor,
         use_case: Callable[[Any, DeployButton], Any]) -> None:
    try:
        button = DeployButton.model_validate_json(clicked_value(body))
    except ValidationError:
        tell(client, body, who.user_id, "That button is from an older message; use today's "
             "manifest.")
        return
    run_click(runtime, client, body, who, lambda session: use_case(session, button))
