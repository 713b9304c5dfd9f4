"""The App Home tab, rendered whenever a user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.requests import review_queue, team_requests
from bot.slack.home.view import home_view
from bot.slack.listening import actor
from bot.slack.runtime import Runtime
from bot.teams.manage import summary, teams_by_id
from bot.tickets.use_cases import open_tickets, team_tickets


def register(app: App, runtime: Runtime) -> None:
    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") not in (None, "home"):
            return
        who = actor(runtime, body)
        with runtime.store.reader() as session:
            mine = team_requests(session, actor=who, limit=20)
            queue = review_queue(session, limit=20) if who.is_reviewer else None
            tickets = team_tickets(session, actor=who, open_only=True, limit=10)
            ticket_queue = open_tickets(session, limit=10) if who.is_reviewer else None
            teams = [summary(session, t, detail=False)
                     for t in teams_by_id(session, who.teams)]
        client.views_publish(user_id=who.user_id, view=home_view(
            mine, queue, tickets=tickets, ticket_queue=ticket_queue, teams=teams))
