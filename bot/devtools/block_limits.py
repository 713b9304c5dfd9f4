"""Slack's Block Kit limits that matter to launchbot, as a pure function.

Slack refuses a view or message that breaks one of these with `invalid_arguments` (views) or
`invalid_blocks` (messages), and the user sees nothing, so the fake Slack server enforces them
and builder unit tests call `problems()` directly. Messages imitate Slack's own wording:
"must be less than 25 characters [json-pointer:/view/title/text]".

Deliberately stricter than Slack in one place: input blocks are refused in messages (launchbot
collects input only in modals and the App Home).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bot.slack.clipping import units

Surface = Literal["modal", "home", "message"]

MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_BLOCKS = 50
MAX_MESSAGE_TEXT = 40_000
MAX_MODAL_BUTTON_TEXT = 24  # title, submit, close
MAX_PRIVATE_METADATA = 3000
MAX_ID = 255  # callback_id, external_id, block_id, action_id
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_LABEL = 2000  # input label and hint
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
MAX_INPUT_LENGTH = 3000
MAX_FILES = 10
MAX_ERROR_MESSAGE = 3000  # one message in a response_action "errors" answer
MAX_OPTIONS = {"static_select": 100, "multi_static_select": 100, "checkboxes": 10,
               "radio_buttons": 10, "overflow": 5}

KNOWN_BLOCKS = frozenset({
    "section", "divider", "image", "actions", "context", "input", "header", "rich_text",
    "video", "file", "markdown", "table", "call",
})
PLAIN_TEXT_OPTIONS = frozenset({"static_select", "multi_static_select", "overflow"})
RESPONSE_ACTIONS = frozenset({"errors", "update", "push", "clear"})


def problems(view_or_blocks: Mapping[str, Any] | Sequence[Any], surface: Surface) -> list[str]:
    """Everything Slack would refuse in a view (modal/home) or message, or in a list of blocks.

    A view is checked under `/view`, a message dict (`text`, `blocks`) or a bare block list at
    the root, so pointers match what Slack answers for views.open and chat.postMessage.
    """
    checker = _Checker(surface)
    if isinstance(view_or_blocks, Mapping):
        if surface == "message":
            checker.message(view_or_blocks)
        else:
            checker.view(view_or_blocks, "/view")
    elif isinstance(view_or_blocks, Sequence) and not isinstance(view_or_blocks, str):
        checker.blocks(view_or_blocks, "/blocks")
    else:
        checker.add("must provide an array or an object", "")
    return checker.found


def input_block_ids(view: Mapping[str, Any]) -> set[str]:
    """The block_ids of the input blocks of a view: the only keys an errors answer may use."""
    return {b["block_id"] for b in view.get("blocks") or []
            if isinstance(b, Mapping) and b.get("type") == "input" and b.get("block_id")}


def response_action_problems(response: Mapping[str, Any], view: Mapping[str, Any]) -> list[str]:
    """What is wrong with a view_submission answer, given the view that was submitted.

    Slack ignores an `errors` key that is not an input block of the view (the modal just stays,
    silently), so a finding must be mapped to an input block or it is lost.
    """
    action = response.get("response_action")
    if action not in RESPONSE_ACTIONS:
        return [f"response_action must be one of {sorted(RESPONSE_ACTIONS)}, got {action!r}"]
    if action in ("update", "push"):
        new_view = response.get("view")
        if not isinstance(new_view, Mapping):
            return [f"response_action {action} needs a view"]
        return problems(new_view, "modal")
    if action == "clear":
        return []
    errors = response.get("errors")
    if not isinstance(errors, Mapping) or not errors:
        return ["response_action errors needs a non-empty errors object"]
    inputs = input_block_ids(view)
    found = []
    for block_id, message in errors.items():
        if block_id not in inputs:
            found.append(f"errors key {block_id!r} is not the block_id of an input block "
                         f"(inputs: {sorted(inputs)})")
        if not isinstance(message, str) or not message:
            found.append(f"errors[{block_id!r}] must be a non-empty string")
        elif len(message) > MAX_ERROR_MESSAGE:
            found.append(f"errors[{block_id!r}] must be less than {MAX_ERROR_MESSAGE + 1} "
                         "characters")
    return found


class _Checker:
    """Walks one surface, collecting problems with their JSON pointers."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.found: list[str] = []
        self.block_ids: set[str] = set()

    def add(self, message: str, pointer: str) -> None:
        self.found.append(f"{message} [json-pointer:{pointer}]")

    def length(self, value: Any, limit: int, pointer: str, *, minimum: int = 0) -> None:
        if value is None:
            return
        if not isinstance(value, str):
            self.add("must be a string", pointer)
        elif units(value) > limit:  # UTF-16 units: never fewer than Slack may count
            self.add(f"must be less than {limit + 1} characters", pointer)
        elif len(value) < minimum:
            self.add(f"must be more than {minimum - 1} characters", pointer)

    def text(self, obj: Any, limit: int, pointer: str, *, plain: bool = False,
             required: bool = True) -> None:
        if obj is None:
            if required:
                self.add("must provide an object", pointer)
            return
        if not isinstance(obj, Mapping):
            self.add("must provide an object", pointer)
            return
        kind = obj.get("type")
        if plain and kind != "plain_text":
            self.add("must be a plain_text text object", f"{pointer}/type")
        elif kind not in ("plain_text", "mrkdwn"):
            self.add("must be plain_text or mrkdwn", f"{pointer}/type")
        text = obj.get("text")
        if text is None:
            self.add("must provide a string", f"{pointer}/text")
        else:
            self.length(text, limit, f"{pointer}/text", minimum=1)

    def message(self, message: Mapping[str, Any]) -> None:
        self.length(message.get("text"), MAX_MESSAGE_TEXT, "/text")
        if message.get("blocks") is not None:
            self.blocks(message["blocks"], "/blocks")

    def view(self, view: Mapping[str, Any], at: str) -> None:
        if view.get("type") != self.surface:
            self.add(f"must be {self.surface!r}", f"{at}/type")
        if self.surface == "modal":
            self.text(view.get("title"), MAX_MODAL_BUTTON_TEXT, f"{at}/title", plain=True)
            for key in ("submit", "close"):
                self.text(view.get(key), MAX_MODAL_BUTTON_TEXT, f"{at}/{key}", plain=True,
                          required=False)
            has_input = any(isinstance(b, Mapping) and b.get("type") == "input"
                            for b in view.get("blocks") or [])
            if has_input and view.get("submit") is None:
                self.add("must provide submit when the view has input blocks", f"{at}/submit")
        self.length(view.get("private_metadata"), MAX_PRIVATE_METADATA, f"{at}/private_metadata")
        self.length(view.get("callback_id"), MAX_ID, f"{at}/callback_id")
        self.length(view.get("external_id"), MAX_ID, f"{at}/external_id")
        if "blocks" not in view:
            self.add("must provide an array", f"{at}/blocks")
        else:
            self.blocks(view["blocks"], f"{at}/blocks")

    def blocks(self, blocks: Any, at: str) -> None:
        if not isinstance(blocks, Sequence) or isinstance(blocks, str):
            self.add("must provide an array", at)
            return
        limit = MAX_MESSAGE_BLOCKS if self.surface == "message" else MAX_VIEW_BLOCKS
        if len(blocks) > limit:
            self.add(f"must be less than {limit + 1} items", at)
        for i, block in enumerate(blocks):
            self.block(block, f"{at}/{i}")

    def block(self, block: Any, at: str) -> None:
        if not isinstance(block, Mapping):
            self.add("must provide an object", at)
            return
        kind = block.get("type")
        if kind not in KNOWN_BLOCKS:
            self.add(f"unknown block type {kind!r}", f"{at}/type")
            return
        block_id = block.get("block_id")
        if block_id is not None:
            self.length(block_id, MAX_ID, f"{at}/block_id", minimum=1)
            if block_id in self.block_ids:
                self.add(f"duplicate block_id {block_id!r}", f"{at}/block_id")
            self.block_ids.add(block_id)
        if kind == "section":
            self.section(block, at)
        elif kind == "header":
            self.text(block.get("text"), MAX_HEADER_TEXT, f"{at}/text", plain=True)
        elif kind == "context":
            self.context(block, at)
        elif kind == "actions":
            self.actions(block, at)
        elif kind == "input":
            self.input(block, at)
        elif kind == "image":
            self.image(block, at)

    def section(self, block: Mapping[str, Any], at: str) -> None:
        if block.get("text") is None and not block.get("fields"):
            self.add("must provide text or fields", at)
        self.text(block.get("text"), MAX_SECTION_TEXT, f"{at}/text", required=False)
        fields = block.get("fields")
        if fields is not None:
            if len(fields) > MAX_SECTION_FIELDS:
                self.add(f"must be less than {MAX_SECTION_FIELDS + 1} items", f"{at}/fields")
            for i, field in enumerate(fields):
                self.text(field, MAX_FIELD_TEXT, f"{at}/fields/{i}")
        if block.get("accessory") is not None:
            self.element(block["accessory"], f"{at}/accessory", set())

    def context(self, block: Mapping[str, Any], at: str) -> None:
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= MAX_CONTEXT_ELEMENTS:
            self.add(f"must have 1 to {MAX_CONTEXT_ELEMENTS} items", f"{at}/elements")
        for i, element in enumerate(elements):
            if isinstance(element, Mapping) and element.get("type") == "image":
                self.image(element, f"{at}/elements/{i}")
            else:
                self.text(element, MAX_SECTION_TEXT, f"{at}/elements/{i}")

    def actions(self, block: Mapping[str, Any], at: str) -> None:
        elements = block.get("elements") or []
        if not 1 <= len(elements) <= MAX_ACTIONS_ELEMENTS:
            self.add(f"must have 1 to {MAX_ACTIONS_ELEMENTS} items", f"{at}/elements")
        seen: set[str] = set()
        for i, element in enumerate(elements):
            self.element(element, f"{at}/elements/{i}", seen)

    def input(self, block: Mapping[str, Any], at: str) -> None:
        if self.surface == "message":
            self.add("input blocks are only allowed in modals and the App Home", f"{at}/type")
        self.text(block.get("label"), MAX_LABEL, f"{at}/label", plain=True)
        self.text(block.get("hint"), MAX_LABEL, f"{at}/hint", plain=True, required=False)
        if block.get("element") is None:
            self.add("must provide an object", f"{at}/element")
        else:
            self.element(block["element"], f"{at}/element", set())

    def image(self, obj: Mapping[str, Any], at: str) -> None:
        if obj.get("image_url") is None and obj.get("slack_file") is None:
            self.add("must provide image_url or slack_file", at)
        self.length(obj.get("image_url"), MAX_URL, f"{at}/image_url")
        if obj.get("alt_text") is None:
            self.add("must provide a string", f"{at}/alt_text")
        self.length(obj.get("alt_text"), MAX_LABEL, f"{at}/alt_text")
        self.text(obj.get("title"), MAX_LABEL, f"{at}/title", plain=True, required=False)

    def element(self, element: Any, at: str, action_ids: set[str]) -> None:
        if not isinstance(element, Mapping):
            self.add("must provide an object", at)
            return
        kind = element.get("type")
        action_id = element.get("action_id")
        if action_id is not None:
            self.length(action_id, MAX_ID, f"{at}/action_id", minimum=1)
            if action_id in action_ids:
                self.add(f"duplicate action_id {action_id!r}", f"{at}/action_id")
            action_ids.add(action_id)
        self.text(element.get("placeholder"), MAX_PLACEHOLDER, f"{at}/placeholder", plain=True,
                  required=False)
        if kind == "button":
            self.text(element.get("text"), MAX_BUTTON_TEXT, f"{at}/text", plain=True)
            self.length(element.get("value"), MAX_BUTTON_VALUE, f"{at}/value")
            self.length(element.get("url"), MAX_URL, f"{at}/url")
            if element.get("style") not in (None, "primary", "danger"):
                self.add("must be primary or danger", f"{at}/style")
        elif kind in MAX_OPTIONS:
            self.options(element, at)
        elif kind == "plain_text_input":
            max_length = element.get("max_length")
            if max_length is not None and not 1 <= max_length <= MAX_INPUT_LENGTH:
                self.add(f"must be between 1 and {MAX_INPUT_LENGTH}", f"{at}/max_length")
            self.length(element.get("initial_value"), max_length or MAX_INPUT_LENGTH,
                        f"{at}/initial_value")
        elif kind == "file_input":
            max_files = element.get("max_files")
            if max_files is not None and not 1 <= max_files <= MAX_FILES:
                self.add(f"must be between 1 and {MAX_FILES}", f"{at}/max_files")
            if self.surface != "modal":
                self.add("file_input is only allowed in modals", f"{at}/type")
        elif kind == "image":
            self.image(element, at)

    def options(self, element: Mapping[str, Any], at: str) -> None:
        kind = element["type"]
        options = element.get("options")
        groups = element.get("option_groups")
        if options is None and groups is not None:
            options = [o for g in groups for o in g.get("options") or []]
        options = options or []
        limit = MAX_OPTIONS[kind]
        if not 1 <= len(options) <= limit:
            self.add(f"must have 1 to {limit} items", f"{at}/options")
        for i, option in enumerate(options):
            if not isinstance(option, Mapping):
                self.add("must provide an object", f"{at}/options/{i}")
                continue
            self.text(option.get("text"), MAX_OPTION_TEXT, f"{at}/options/{i}/text",
                      plain=kind in PLAIN_TEXT_OPTIONS)
            self.length(option.get("value"), MAX_OPTION_VALUE, f"{at}/options/{i}/value",
                        minimum=1)
            self.text(option.get("description"), MAX_OPTION_TEXT,
                      f"{at}/options/{i}/description", required=False)
        # Slack refuses an initial option that is not one of the options (the classic bug when
        # a prefilled form's option text changed), so compare value and text like it does.
        known = {_option_key(o) for o in options if isinstance(o, Mapping)}
        initial = element.get("initial_options") or []
        if element.get("initial_option") is not None:
            initial = [element["initial_option"]]
        for option in initial:
            if not isinstance(option, Mapping) or _option_key(option) not in known:
                self.add("initial option must match one of the options", f"{at}/initial_option")


def _option_key(option: Mapping[str, Any]) -> tuple[Any, Any]:
    text = option.get("text")
    return option.get("value"), text.get("text") if isinstance(text, Mapping) else text
