"""block_limits: Slack's limits as a pure function, and the response_action check."""

from __future__ import annotations

from typing import Any

import pytest

from bot.devtools.block_limits import input_block_ids, problems, response_action_problems


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def text_input(block_id: str, **element: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(block_id),
            "element": {"type": "plain_text_input", "action_id": "value", **element}}


def select(*values: str, **extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick",
            "options": [{"text": plain(v.title()), "value": v} for v in values], **extra}


def modal(*blocks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Launch request"), "submit": plain("Submit"),
            "blocks": list(blocks), **fields}


GOOD = modal(
    {"type": "header", "text": plain("New launch request")},
    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "*Hello*"},
     "accessory": {"type": "button", "action_id": "help", "text": plain("Help")}},
    text_input("app_name", max_length=80, initial_value="Benefits"),
    {"type": "input", "block_id": "protocol", "dispatch_action": True,
     "label": plain("Protocol"), "element": select("oidc", "saml",
                                                   initial_option={"text": plain("Oidc"),
                                                                   "value": "oidc"})},
    {"type": "input", "block_id": "logo", "label": plain("Logo"),
     "element": {"type": "file_input", "action_id": "files", "max_files": 1}},
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Deploys on Thursdays"}]},
    {"type": "actions", "elements": [
        {"type": "button", "action_id": "approve", "text": plain("Approve"), "style": "primary",
         "value": "r-1"},
        {"type": "button", "action_id": "reject", "text": plain("Reject"), "style": "danger"}]},
    {"type": "divider"},
    private_metadata="x" * 3000, callback_id="c" * 255,
)


def test_a_good_modal_has_no_problems() -> None:
    assert problems(GOOD, "modal") == []


def test_a_good_message_and_home() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}] * 50
    unique = [dict(b, block_id=str(i)) for i, b in enumerate(blocks)]
    assert problems(unique, "message") == []
    assert problems({"text": "t" * 40_000, "blocks": unique}, "message") == []
    assert problems({"type": "home", "blocks": [text_input("search")] * 1}, "home") == []


@pytest.mark.parametrize(("view", "expected"), [
    (modal(title=plain("T" * 25)),
     "must be less than 25 characters [json-pointer:/view/title/text]"),
    (modal(title={"type": "mrkdwn", "text": "T"}),
     "must be a plain_text text object [json-pointer:/view/title/type]"),
    (modal(close=plain("C" * 25)),
     "must be less than 25 characters [json-pointer:/view/close/text]"),
    ({"type": "modal", "blocks": []}, "must provide an object [json-pointer:/view/title]"),
    ({"type": "modal", "title": plain("T"), "blocks": [text_input("a")]},
     "must provide submit when the view has input blocks [json-pointer:/view/submit]"),
    (modal(*[{"type": "divider"}] * 101),
     "must be less than 101 items [json-pointer:/view/blocks]"),
    (modal(private_metadata="m" * 3001),
     "must be less than 3001 characters [json-pointer:/view/private_metadata]"),
    (modal(callback_id="c" * 256),
     "must be less than 256 characters [json-pointer:/view/callback_id]"),
    (modal(text_input("a"), text_input("a")),
     "duplicate block_id 'a' [json-pointer:/view/blocks/1/block_id]"),
    (modal(text_input("b" * 256)),
     "must be less than 256 characters [json-pointer:/view/blocks/0/block_id]"),
    (modal({"type": "section", "text": {"type": "mrkdwn", "text": "s" * 3001}}),
     "must be less than 3001 characters [json-pointer:/view/blocks/0/text/text]"),
    (modal({"type": "section", "text": {"type": "mrkdwn", "text": ""}}),
     "must be more than 0 characters [json-pointer:/view/blocks/0/text/text]"),
    (modal({"type": "section"}), "must provide text or fields [json-pointer:/view/blocks/0]"),
    (modal({"type": "header", "text": plain("h" * 151)}),
     "must be less than 151 characters [json-pointer:/view/blocks/0/text/text]"),
    (modal({"type": "secton", "text": plain("typo")}),
     "unknown block type 'secton' [json-pointer:/view/blocks/0/type]"),
    (modal({"type": "input", "block_id": "p", "label": plain("P"),
            "element": select("a", initial_option={"text": plain("Zzz"), "value": "z"})}),
     "initial option must match one of the options "
     "[json-pointer:/view/blocks/0/element/initial_option]"),
    (modal({"type": "input", "block_id": "p", "label": plain("P"),
            "element": select(*[f"v{i}" for i in range(101)])}),
     "must have 1 to 100 items [json-pointer:/view/blocks/0/element/options]"),
    (modal({"type": "actions", "elements": [
        {"type": "button", "action_id": "x", "text": plain("A")},
        {"type": "button", "action_id": "x", "text": plain("B")}]}),
     "duplicate action_id 'x' [json-pointer:/view/blocks/0/elements/1/action_id]"),
    (modal({"type": "actions", "elements": [
        {"type": "button", "action_id": "x", "text": plain("A"), "value": "v" * 2001}]}),
     "must be less than 2001 characters [json-pointer:/view/blocks/0/elements/0/value]"),
    (modal(text_input("a", initial_value="long", max_length=3)),
     "must be less than 4 characters [json-pointer:/view/blocks/0/element/initial_value]"),
    ({"type": "modal", "title": plain("T"), "blocks": []}, None),
])
def test_view_problems(view: dict[str, Any], expected: str | None) -> None:
    found = problems(view, "modal")
    if expected is None:
        assert found == []
    else:
        assert expected in found, found


def test_home_surface_needs_type_home_but_no_title() -> None:
    assert problems({"type": "home", "blocks": []}, "home") == []
    assert problems({"type": "modal", "blocks": []}, "home") == [
        "must be 'home' [json-pointer:/view/type]"]


def test_message_problems() -> None:
    assert problems([{"type": "divider"}] * 51, "message") == [
        "must be less than 51 items [json-pointer:/blocks]"]
    assert problems([text_input("a")], "message") == [
        "input blocks are only allowed in modals and the App Home [json-pointer:/blocks/0/type]"]
    assert problems({"text": "x" * 40_001}, "message") == [
        "must be less than 40001 characters [json-pointer:/text]"]
    assert problems("not blocks", "message") == [  # type: ignore[arg-type]
        "must provide an array or an object [json-pointer:]"]


def test_a_bare_block_list_is_checked_at_the_root() -> None:
    assert problems([{"type": "section", "text": plain("x" * 3001)}], "modal") == [
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]


# -- response_action ---------------------------------------------------------------------------

def test_errors_on_input_blocks_are_fine() -> None:
    answer = {"response_action": "errors", "errors": {"app_name": "Required", "logo": "x" * 3000}}
    assert response_action_problems(answer, GOOD) == []
    assert input_block_ids(GOOD) == {"app_name", "protocol", "logo"}


def test_errors_on_a_non_input_block_are_lost() -> None:
    answer = {"response_action": "errors", "errors": {"intro": "Not an input",
                                                      "nowhere": "Unknown block"}}
    found = response_action_problems(answer, GOOD)
    assert len(found) == 2 and all("is not the block_id of an input block" in p for p in found)


def test_error_messages_must_be_short_non_empty_strings() -> None:
    answer = {"response_action": "errors", "errors": {"app_name": "x" * 3001, "logo": ""}}
    assert response_action_problems(answer, GOOD) == [
        "errors['app_name'] must be less than 3001 characters",
        "errors['logo'] must be a non-empty string"]
    assert response_action_problems({"response_action": "errors", "errors": {}}, GOOD) == [
        "response_action errors needs a non-empty errors object"]


def test_update_push_and_clear() -> None:
    assert response_action_problems({"response_action": "update", "view": GOOD}, GOOD) == []
    assert response_action_problems({"response_action": "clear"}, GOOD) == []
    assert response_action_problems({"response_action": "push"}, GOOD) == [
        "response_action push needs a view"]
    bad = {"response_action": "update", "view": modal(title=plain("T" * 30))}
    assert response_action_problems(bad, GOOD) == [
        "must be less than 25 characters [json-pointer:/view/title/text]"]
    assert response_action_problems({"response_action": "close"}, GOOD)[0].startswith(
        "response_action must be one of")
