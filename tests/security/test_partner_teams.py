"""Partner teams through Slack, over HTTP: a Slack Connect user is placed by their org with no
set-up, a channel binding places a guest, someone on no team is told so (and whom to ask) on
every surface with nothing filed or shown, and a Slack outage refuses rather than guesses."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Team, TeamEvent
from bot.teams import manage

from .conftest import ANYONE, FILED, REVIEW_CHANNEL, World, eventually, text_of

NOT_ON_TEAM = "not on a partner team yet"


def _teams(world: World) -> dict[str, list[str]]:
    with world.store.reader() as session:
        return {t.slug: [w.slack_team_id for w in t.workspaces]
                for t in session.scalars(select(Team))}


def test_a_slack_connect_user_is_placed_by_their_org(world: World) -> None:
    world.slack.add_team("T0NEWCO", "Newco Digital")
    world.slack.add_user("U0NEWCO", team_id="T0NEWCO")
    world.slack.add_user("U0NEWCO2", team_id="T0NEWCO")
    for user in ("U0NEWCO", "U0NEWCO2"):
        answer = world.sender.slash_command("/launch-request", "list", user_id=user).text
        assert NOT_ON_TEAM not in answer
    assert _teams(world)["newco-digital"] == ["T0NEWCO"]  # one team, named from team.info


def test_a_channel_binding_places_a_guest(world: World) -> None:
    world.slack.add_user("U0CHGUEST", team_id="T0IDP")
    assert NOT_ON_TEAM in world.sender.slash_command("/launch-request", "list",
                                                     user_id="U0CHGUEST").text
    world.slack.add_channel("C0PARTNERS", members=["U0CHGUEST"])
    with world.store.unit_of_work() as session:
        manage.bind_channel(session, "other", "C0PARTNERS", actor="U0STAFF", now=FILED)
    record = world.file_request(41, user="U0GUEST")  # the other team's
    answer = world.sender.slash_command("/launch-request", "list", user_id="U0CHGUEST").text
    assert record.public_id in answer


def test_someone_on_no_team_is_told_on_every_surface_and_nothing_happens(world: World) -> None:
    record = world.file_request(43)
    card = world.message_about(REVIEW_CHANNEL, record.public_id)
    before = world.counts()
    for command, text in (("/launch-request", ""), ("/launch-request", "list"),
                          ("/launch-request", "help"), ("/support-ticket", ""),
                          ("/support-ticket", "status ST-1001")):
        answer = world.sender.slash_command(command, text, user_id=ANYONE).text
        assert NOT_ON_TEAM in answer and f"<#{REVIEW_CHANNEL}>" in answer, (command, text)
    world.sender.app_home_opened(ANYONE, event_id="Ev0NOTEAM1")
    home = eventually(lambda: world.slack.home_view(ANYONE))
    assert NOT_ON_TEAM in text_of(home["blocks"])
    world.sender.block_action("approve", user_id=ANYONE, message=card)
    told = eventually(lambda: world.slack.ephemerals_to(ANYONE))
    assert NOT_ON_TEAM in told[-1]["text"]
    assert not world.slack.calls_to("views.open")  # no form was opened
    after = world.counts()
    after.pop("processed_events"), before.pop("processed_events")  # the App Home event, seen
    assert after == before


def test_slack_failing_to_say_who_someone_is_refuses(world: World) -> None:
    world.slack.add_user("U0LATE", team_id="T0LATECO")
    before = _teams(world)
    world.slack.fail_next(1, status=500, method="users.info")
    answer = world.sender.slash_command("/launch-request", "list", user_id="U0LATE").text
    assert "try again" in answer and NOT_ON_TEAM not in answer
    assert _teams(world) == before  # no team was made or guessed
    # Slack answers again: the user is placed by their org.
    assert "try again" not in world.sender.slash_command(
        "/launch-request", "list", user_id="U0LATE").text
    assert "T0LATECO" in {w for ws in _teams(world).values() for w in ws}


def test_reviewers_manage_teams_from_slack_and_partners_cannot(world: World) -> None:
    def team(text: str, user: str = "U0STAFF") -> str:
        return world.sender.slash_command("/launch-request", f"team {text}", user_id=user).text

    assert "Only reviewers manage partner teams" in team("list", user="U0PARTNER")
    assert "Only reviewers manage partner teams" in team("create x --name X --agency X",
                                                         user="U0PARTNER")
    assert "Team *acme* created" in team('create acme --name "Acme <!channel>" --agency GSA')
    assert "1 member(s) added to *acme*: U0NEWGUEST" in team("add-member acme <@U0NEWGUEST|new>")
    before = world.counts()
    refused = team("bind-workspace acme T0AGENCY")
    assert "Nothing changed: workspace T0AGENCY is already bound to team 'agency'" in refused
    assert world.counts() == before
    shown = team("show acme")
    assert "Acme &lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "U0NEWGUEST" in shown
    with world.store.reader() as session:
        trail = [(e.actor, e.action) for e in session.scalars(select(TeamEvent).where(
            TeamEvent.team_id == manage.team_by_slug(session, "acme").id).order_by(TeamEvent.id))]
    assert trail == [("U0STAFF", "create"), ("U0STAFF", "add_members")]


def test_app_home_shows_a_partner_their_team(world: World) -> None:
    world.sender.app_home_opened("U0TEAMMATE", event_id="Ev0TEAMHOME1")
    home = eventually(lambda: world.slack.home_view("U0TEAMMATE"))
    shown = text_of(home["blocks"])
    assert "Your team" in shown and "Agency team" in shown
    assert "<@U0TEAMMATE>" in shown and "everyone from workspace T0AGENCY" in shown


def test_a_reviewer_goes_on_working_when_slack_cannot_say_their_team(world: World) -> None:
    record = world.file_request(44)
    world.slack.fail_next(1, status=500, method="users.info")
    answer = world.sender.slash_command("/launch-request", f"status {record.public_id}",
                                        user_id="U0STAFF2").text
    assert record.public_id in answer and "try again" not in answer
    assert any(not c.ok for c in world.slack.calls_to("users.info"))  # it did fail
