"""Reading a submitted request form back: `view.state.values` into the request's values and
uploaded file IDs, list edits applied, and a change reduced to what changes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.slack.requests.form.fields import (
    ATTESTATIONS,
    BY_NAME,
    LIST_EDITS,
    MAX_FILES,
    NESTED,
    SLACK_FILE_ID,
    Field,
    add_block,
    int_or_none,
    remove_block,
)
from bot.slack.team_picker import TEAM_BLOCK
from bot.slack.text import clip
from bot.slack.view_state import element_value, input_states


@dataclass(frozen=True)
class FormInput:
    values: dict[str, Any]  # the request as typed, docs/rules.md §1 shape (files as names later)
    file_ids: dict[str, list[str]]  # logo / certificates -> uploaded Slack file IDs


def read_state(state_values: Any) -> FormInput:
    """`view.state.values` -> the request values and the uploaded file IDs. Tolerant: a block
    it does not know or a value of the wrong shape is left out, never an exception."""
    values: dict[str, Any] = {}
    file_ids: dict[str, list[str]] = {}
    for block_id, state in input_states(state_values):
        raw = element_value(state)
        field = BY_NAME.get(block_id) or _EDIT_FIELDS.get(block_id)
        if block_id == "kind" or field is None:
            if block_id in ("kind", "issuer", TEAM_BLOCK) and isinstance(raw, str):
                values[block_id] = raw
            continue
        if field.element == "file":
            ids = [i for i in _texts(raw) if SLACK_FILE_ID.fullmatch(i)]
            file_ids[block_id] = ids[:MAX_FILES]
            continue
        value = _convert(field, raw)
        if value is None:
            continue
        if "." in block_id:
            outer, inner = block_id.split(".", 1)
            values.setdefault(outer, {})[inner] = value
        else:
            values[block_id] = value
    return FormInput(values=values, file_ids=file_ids)


_EDIT_FIELDS = {b: Field(b, b, "lines") for name in LIST_EDITS
                for b in (add_block(name), remove_block(name))}


def _texts(raw: Any) -> list[str]:
    return [item for item in raw if isinstance(item, str)] if isinstance(raw, list) else []


def _convert(field: Field, raw: Any) -> Any:
    """One input's value as the request holds it. What no such input sends (a list from a
    text input, a number from a select) is left out, as if nothing had been entered."""
    if field.element == "checks":
        return _checks(field, _texts(raw))
    if field.element == "multi":
        return _texts(raw) or None
    if not isinstance(raw, str) or raw == "":
        return None
    if field.element == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if field.name in ("ial", "default_aal") or field.element == "number":
        number = int_or_none(raw)
        return number if number is not None else str(raw)  # the rules core says what's wrong
    if field.element == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return raw
    return raw.strip()


def _checks(field: Field, selected: list[Any]) -> Any:
    if field.name == "attestations":
        return {k: k in selected for k in ATTESTATIONS}
    return "true" in selected


def changed_only(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """A change records only what changes: drop every value equal to production's."""
    kept: dict[str, Any] = {}
    for name, value in values.items():
        if name in NESTED and isinstance(value, Mapping):
            base = current.get(name) or {}
            inner = {k: v for k, v in value.items() if base.get(k) != v}
            if inner:
                kept[name] = inner
        elif name in ("kind", "issuer", "change_summary", "attestations",
                      "desired_deploy_date") or current.get(name) != value:
            kept[name] = value
    return kept


def apply_list_edits(values: Mapping[str, Any], base: Mapping[str, Any]
                     ) -> tuple[dict[str, Any], dict[str, str]]:
    """`values` with each list field's lines to add and remove applied to its list in `base`
    (production's, or the request reopened): what the partner left alone stays exactly as it
    is, in its order. Errors (block -> message) for lines to remove that are not there."""
    out = dict(values)
    errors: dict[str, str] = {}
    for name in LIST_EDITS:
        add = _lines(out.pop(add_block(name), None))
        remove = _lines(out.pop(remove_block(name), None))
        if not add and not remove:
            continue
        current = [str(v) for v in base.get(name) or []]
        missing = [line for line in remove if line not in current]
        if missing:
            errors[remove_block(name)] = clip(
                f"Not among the {len(current)} in place, so they cannot be removed (copy them "
                "exactly): " + ", ".join(missing), 2000)
            continue
        kept = [v for v in current if v not in remove]
        out[name] = kept + [line for line in dict.fromkeys(add) if line not in kept]
    return out, errors


def _lines(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []
