"""Reading what Slack sends back from a modal's inputs (`view.state.values`), for every form.
Tolerant by design: Slack's payload is untrusted input, so a value of the wrong shape reads as
nothing entered, never as an exception."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def listed(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list Slack sends (selected_options, files); anything else is none."""
    return [item for item in value if isinstance(item, Mapping)] \
        if isinstance(value, list) else []


def picked_value(state: Mapping[str, Any]) -> str | None:
    """The value of a select's chosen option (in a submission or in the action that picked
    it), when it is text."""
    option = state.get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def element_value(state: Mapping[str, Any]) -> Any:
    """One input element's value as its type sends it: a select's chosen value, the values of
    a multi-select or checkboxes, a date, the IDs of uploaded files, or the text typed."""
    kind = state.get("type")
    if kind in ("static_select", "radio_buttons"):
        return picked_value(state)
    if kind in ("multi_static_select", "checkboxes"):
        return [o.get("value") for o in listed(state.get("selected_options"))]
    if kind == "datepicker":
        return state.get("selected_date")
    if kind == "file_input":
        return [f.get("id") for f in listed(state.get("files"))]
    return state.get("value")


def input_states(state_values: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(block_id, the state of its one element) for each input block Slack sent back."""
    if not isinstance(state_values, Mapping):
        return
    for block_id, actions in state_values.items():
        if not isinstance(actions, Mapping) or not actions:
            continue
        state = next(iter(actions.values()))
        if isinstance(state, Mapping):
            yield block_id, state
