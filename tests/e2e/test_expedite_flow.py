"""An expedited request end to end over HTTP against the fake Slack: the partner asks for a
deploy day inside the cutoff with a justification; the card says EXPEDITED with the notice
given; the first approval says 1 of 2, the same reviewer cannot give the second, another
reviewer approves; the manifest marks it."""

from __future__ import annotations

from datetime import date

from bot.requests.manifest import manifest_for
from bot.store.db import Store
from tests.e2e.test_launch_flow import (
    IDP,
    LAUNCH,
    PARTNER,
    REVIEWER,
    eventually,
    open_launch_form,
    text_of,
    world_on,
)

SECOND = "U0REVIEW2"
WHY = "Our signing certificate expires on December 4: sign-in stops without this change."


def test_an_expedited_request_needs_two_reviewers(db: Store) -> None:
    with world_on(db) as world:
        slack, sender = world.slack, world.sender
        slack.add_user(SECOND, name="sol", team_id=IDP)
        slack.add_usergroup("S0REVIEWERS", [REVIEWER, SECOND])
        view = open_launch_form(world)
        values = {**LAUNCH, "app_name": "DHS Benefits Portal",
                  "iaa_number": "LGABCFY210001-0001-0000",
                  "redirect_uris": "https://benefits.example.gov/auth/result",
                  "desired_deploy_date": "2026-12-03", "expedite_justification": WHY}
        answer = sender.view_submission(view, user_id=PARTNER, values=values).json()
        assert answer["response_action"] == "update", answer
        warned = answer["view"]
        assert "CAL-EXPEDITE" in text_of(warned["blocks"])  # shown before filing
        answer = sender.view_submission({**warned, "id": view["id"]}, user_id=PARTNER,
                                        values={**values, "logo": [], "certificates": []}
                                        ).json()
        done = text_of(answer["view"]["blocks"])
        assert "LR-1001" in done and "Thursday, December 3, 2026" in done

        world.deliver()
        card = world.card()
        shown = text_of(card["blocks"])
        assert ":rotating_light: *EXPEDITED* · EXPEDITED: 8 days of notice for Thursday " \
               "2026-12-03 instead of 14" in shown
        assert "*Why it cannot wait:* Our signing certificate expires" in shown

        # The first approval: 1 of 2, still in review.
        sender.block_action("approve", user_id=REVIEWER, message=card, team_id=IDP)
        eventually(lambda: world.bot.relay.run_once() or
                   "Approved 1 of 2 by <@U0REVIEW>" in text_of(world.card()["blocks"]))
        world.deliver()
        card = world.card()
        assert "*In review*" in text_of(card["blocks"])
        assert [e["action_id"] for b in card["blocks"] if b["type"] == "actions"
                for e in b["elements"]] == ["approve", "request_changes", "reject"]

        # The same reviewer again: told a different reviewer must approve.
        sender.block_action("approve", user_id=REVIEWER, message=card, team_id=IDP)
        refusal = eventually(lambda: slack.ephemerals_to(REVIEWER))[-1]
        assert "two different reviewers" in refusal["text"]

        # Another reviewer: approved.
        sender.block_action("approve", user_id=SECOND, message=card, team_id=IDP)
        eventually(lambda: world.bot.relay.run_once() or
                   "Approved* by <@U0REVIEW2>" in text_of(world.card()["blocks"]))
        world.deliver()
        assert "approved by <@U0REVIEW2>" in slack.dms_to(PARTNER)[-1]["text"]
        with db.reader() as session:
            items = manifest_for(session, date(2026, 12, 3))
        assert [(i.public_id, i.expedited) for i in items] == [("LR-1001", True)]
        assert not [c for c in slack.errors() if c.method != "response_action"]
