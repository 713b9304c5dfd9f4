"""Who may decide: REVIEWER_IDS and the REVIEWER_GROUP's members, cached for a TTL."""

from __future__ import annotations

import logging
import threading

import pytest
from slack_sdk import WebClient

from bot.devtools.fake_slack import FakeSlack, ManualClock
from bot.slack.reviewers import ReviewerDirectory

GROUP = "S0REVIEWERS"
LIST = "usergroups.users.list"


def test_reviewer_ids_need_no_call(fake_slack: FakeSlack, bare_client: WebClient) -> None:
    directory = ReviewerDirectory(bare_client, None, frozenset({"U0ALICE"}))
    assert directory("U0ALICE")
    assert not directory("U0MALLORY")
    assert not fake_slack.calls


def test_group_members_are_cached_for_the_ttl(fake_slack: FakeSlack,
                                              bare_client: WebClient) -> None:
    clock = ManualClock(0)
    fake_slack.add_usergroup(GROUP, ["U0BOB", "U0CAROL"])
    directory = ReviewerDirectory(bare_client, GROUP, frozenset({"U0ALICE"}), ttl_seconds=60,
                                  clock=clock)
    assert directory("U0BOB") and directory("U0CAROL") and directory("U0ALICE")
    assert not directory("U0MALLORY")
    assert len(fake_slack.calls_to(LIST)) == 1
    assert fake_slack.calls_to(LIST)[0].params["usergroup"] == GROUP

    fake_slack.add_usergroup(GROUP, ["U0BOB", "U0DAVE"])  # Carol leaves, Dave joins
    clock.advance(59)
    assert directory("U0CAROL") and not directory("U0DAVE")  # still the cached list
    assert len(fake_slack.calls_to(LIST)) == 1
    clock.advance(1)
    assert directory("U0DAVE") and not directory("U0CAROL")
    assert len(fake_slack.calls_to(LIST)) == 2


@pytest.mark.parametrize("failure", ["500", "unknown group"])
def test_a_slack_error_keeps_the_last_list(fake_slack: FakeSlack, bare_client: WebClient,
                                           caplog: pytest.LogCaptureFixture,
                                           failure: str) -> None:
    clock = ManualClock(0)
    fake_slack.add_usergroup(GROUP, ["U0BOB"])
    directory = ReviewerDirectory(bare_client, GROUP, frozenset(), ttl_seconds=60,
                                  clock=clock, retry_seconds=10)
    assert directory("U0BOB")
    clock.advance(60)
    if failure == "500":
        fake_slack.fail_next(1, status=500, method=LIST)
    else:
        del fake_slack.usergroups[GROUP]
    with caplog.at_level(logging.WARNING, logger="bot.slack.reviewers"):
        assert directory("U0BOB")  # the last list stands
    assert "keeping the last 1 members" in caplog.text
    assert fake_slack.bot_token not in caplog.text
    calls = len(fake_slack.calls_to(LIST))
    clock.advance(5)
    assert directory("U0BOB")
    assert len(fake_slack.calls_to(LIST)) == calls  # not a call per click while Slack fails
    fake_slack.add_usergroup(GROUP, ["U0CAROL"])
    clock.advance(5)
    assert directory("U0CAROL") and not directory("U0BOB")  # retried after retry_seconds


def test_no_list_yet_and_slack_down_means_ids_only(fake_slack: FakeSlack,
                                                   bare_client: WebClient) -> None:
    fake_slack.add_usergroup(GROUP, ["U0BOB"])
    fake_slack.fail_next(1, status=503, method=LIST)
    clock = ManualClock(0)
    directory = ReviewerDirectory(bare_client, GROUP, frozenset({"U0ALICE"}), clock=clock)
    assert not directory("U0BOB")
    assert directory("U0ALICE")
    clock.advance(10)
    assert directory("U0BOB")


def test_concurrent_first_lookups_make_one_call(fake_slack: FakeSlack,
                                                bare_client: WebClient) -> None:
    fake_slack.add_usergroup(GROUP, ["U0BOB"])
    directory = ReviewerDirectory(bare_client, GROUP, frozenset())
    barrier = threading.Barrier(20)
    answers: list[bool] = []

    def click() -> None:
        barrier.wait()
        answers.append(directory("U0BOB"))

    threads = [threading.Thread(target=click) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [True] * 20
    assert len(fake_slack.calls_to(LIST)) == 1
