"""A person's inputs in a view as Slack sends them back: `view.state.values` for what was typed
or picked (`state_values`, `element_state`), and finding an element or an option by what a
person reads (`find_element`, `option_labelled`). For the signed sender, tests and the demo."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def state_values(view_or_blocks: Mapping[str, Any] | Iterable[Any],
                 values: Mapping[str, Any] | None = None, *,
                 file_info: Callable[[str], dict[str, Any]] | None = None,
                 ) -> dict[str, dict[str, Any]]:
    """`view.state.values` as Slack sends it: every input block, keyed block_id → action_id.

    `values` gives what the user typed or picked, by block_id: a string for text inputs and
    static_select/radio_buttons (the option's value), a list of option values for checkboxes
    and multi-selects, a list of file IDs for file_input, a date string for datepicker; a dict
    is used as the element's state verbatim. A block not in `values` keeps its initial value,
    as in Slack. `file_info` turns a file ID into the file object (FakeSlack.file_info).
    """
    values = dict(values or {})
    blocks = view_or_blocks.get("blocks", []) if isinstance(view_or_blocks, Mapping) \
        else list(view_or_blocks)
    state: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if block.get("type") != "input" or "block_id" not in block:
            continue
        element = block["element"]
        given = values.pop(block["block_id"], INITIAL)
        state[block["block_id"]] = {element["action_id"]: element_state(element, given,
                                                                        file_info=file_info)}
    if values:
        raise ValueError(f"no input block with block_id {sorted(values)} in the view")
    return state


INITIAL = object()  # no value given: the element keeps its initial one, as in Slack


def element_state(element: Mapping[str, Any], value: Any = INITIAL, *,
                  file_info: Callable[[str], dict[str, Any]] | None = None) -> dict[str, Any]:
    """One element's state (`{"type": ..., "value"|"selected_option"|...}`) for `value`,
    or for its initial value when no value is given."""
    kind = element["type"]
    if isinstance(value, Mapping):
        return {"type": kind, **value}
    initial = value is INITIAL
    if kind in ("static_select", "radio_buttons", "external_select", "overflow"):
        option = element.get("initial_option") if initial else _option(element, value)
        return {"type": kind, "selected_option": option}
    if kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        options = element.get("initial_options", []) if initial \
            else [_option(element, v) for v in value]
        return {"type": kind, "selected_options": options}
    if kind == "file_input":
        ids = [] if initial else list(value)
        return {"type": kind, "files": [file_info(i) if file_info else {"id": i} for i in ids]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": element.get("initial_date") if initial else value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": element.get("initial_time") if initial else value}
    for single, key in (("users_select", "user"), ("conversations_select", "conversation"),
                        ("channels_select", "channel")):
        if kind == single:
            return {"type": kind,
                    f"selected_{key}": element.get(f"initial_{key}") if initial else value}
    if kind == "rich_text_input":
        text = None if initial else value
        return {"type": kind, "rich_text_value": element.get("initial_value") if initial else {
            "type": "rich_text", "elements": [{"type": "rich_text_section",
                                               "elements": [{"type": "text", "text": text}]}]}}
    # plain_text_input, url_text_input, email_text_input, number_input: Slack sends null for
    # an empty field, never "".
    text = element.get("initial_value") if initial else value
    return {"type": kind, "value": text if text not in ("", None) else None}


def _option(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    for option in options:
        if option.get("value") == value:
            return dict(option)
    raise ValueError(f"{element.get('action_id')!r} has no option with value {value!r}; "
                     f"options: {[o.get('value') for o in options]}")


def option_labelled(view: Mapping[str, Any], action_id: str, text: str) -> str:
    """The value of the option of select `action_id` whose label holds `text` (a person picks
    by what they read; option values are the bot's own keys)."""
    _, element = find_element(view.get("blocks") or [], action_id)
    options = list(element.get("options") or [])
    for option in options:
        if text in str((option.get("text") or {}).get("text", "")):
            return str(option["value"])
    raise ValueError(f"{action_id!r} has no option labelled with {text!r}; options: "
                     f"{[(o.get('text') or {}).get('text') for o in options]}")


def find_element(blocks: Iterable[Mapping[str, Any]],
                 action_id: str) -> tuple[str, dict[str, Any]]:
    """(block_id, element) of the interactive element with this action_id."""
    for block in blocks:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        candidates += [block[k] for k in ("accessory", "element") if block.get(k)]
        for element in candidates:
            if element.get("action_id") == action_id:
                return block.get("block_id", ""), dict(element)
    raise ValueError(f"no element with action_id {action_id!r}")
