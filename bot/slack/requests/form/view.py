"""The request modal: one builder for launch, change and staging (the fields in `fields`),
the confirmation it turns into once filed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.models import Finding
from bot.slack.blocks import context, divider, option, plain, section, static_select
from bot.slack.ids import Action, Block, Callback
from bot.slack.requests.form.fields import (
    ATTESTATIONS_BY_KIND,
    FIELDS,
    KINDS,
    LIST_EDITS,
    MAX_INPUT,
    SANDBOX,
    TITLE,
    Field,
    FormMeta,
    Shape,
    add_block,
    int_or_none,
    remove_block,
)
from bot.slack.team_picker import TEAM_BLOCK, team_block
from bot.slack.text import clip, escape, long_date


def _element(field: Field, value: Any, shape: Shape) -> dict[str, Any]:
    element: dict[str, Any] = {"action_id": field.action.value}
    options = dict(field.options or {})
    if field.name == "attestations":
        options = {k: options[k] for k in ATTESTATIONS_BY_KIND.get(shape.kind or "", options)}
    if field.element in ("text", "multiline", "lines"):
        element["type"] = "plain_text_input"
        element["multiline"] = field.element != "text"
        if field.placeholder:
            element["placeholder"] = plain(field.placeholder, 150)
        text = "\n".join(value) if isinstance(value, list) else value
        # Never clipped: a clipped prefill would be submitted as the new value. Builders
        # only pass what fits (list fields in place are edited line by line instead).
        if text not in (None, "") and len(str(text)) <= MAX_INPUT:
            element["initial_value"] = str(text)
    elif field.element in ("select", "multi"):
        element["type"] = "static_select" if field.element == "select" else \
            "multi_static_select"
        element["options"] = [option(v, label) for v, label in options.items()]
        chosen = [str(v) for v in (value if isinstance(value, list) else [value])
                  if v is not None and str(v) in options]
        if chosen and field.element == "select":
            element["initial_option"] = option(chosen[0], options[chosen[0]])
        elif chosen:
            element["initial_options"] = [option(v, options[v]) for v in chosen]
    elif field.element == "number":
        element.update(type="number_input", is_decimal_allowed=False, min_value="0")
        if isinstance(value, int) and not isinstance(value, bool):
            element["initial_value"] = str(value)
    elif field.element == "date":
        element["type"] = "datepicker"
        if value:
            element["initial_date"] = str(value)
    elif field.element == "checks":
        element["type"] = "checkboxes"
        element["options"] = [option(v, label) for v, label in options.items()]
        selected = _checked(field, value)
        if selected:
            element["initial_options"] = [option(v, options[v]) for v in selected
                                          if v in options]
    elif field.element == "file":
        element.update(type="file_input", filetypes=list(field.filetypes),
                       max_files=field.max_files)
    return element


def _checked(field: Field, value: Any) -> list[str]:
    if field.name == "attestations" and isinstance(value, Mapping):
        return [k for k, v in value.items() if v is True]
    return ["true"] if value is True else []


def _input(field: Field, value: Any, shape: Shape) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input", "block_id": field.name, "label": plain(field.label, 2000),
        "element": _element(field, value, shape),
        "optional": not field.required(shape) or field.element == "checks",
    }
    if field.hint:
        block["hint"] = plain(field.hint, 2000)
    if field.action is not Action.value:
        block["dispatch_action"] = True
    return block


def _kind_block(kind: str | None) -> dict[str, Any]:
    return {"type": "input", "block_id": "kind", "dispatch_action": True,
            "label": plain("Request"),
            "element": static_select(Action.pick_kind.value, "Choose what to request", KINDS,
                                     kind)}


def _integration_block(integrations: Mapping[str, str], picked: str | None,
                       issuer: str | None) -> dict[str, Any]:
    """The picker of the team's integrations, keyed by their row IDs: an issuer may be longer
    than the 150 characters Slack allows an option's value."""
    if not integrations:  # nothing known for this team: name the issuer
        return _input(Field("issuer", "Issuer of the production integration", "text",
                            required=lambda s: True), issuer, Shape("change"))
    return {"type": "input", "block_id": "issuer", "dispatch_action": True,
            "label": plain("Integration to change"),
            "element": static_select(Action.pick_integration.value, "Choose your integration",
                                     integrations, picked)}


def nested_value(values: Mapping[str, Any], name: str) -> Any:
    """`values['help_text']['sign_in']` for 'help_text.sign_in'."""
    if "." in name:
        outer, inner = name.split(".", 1)
        parent = values.get(outer)
        return parent.get(inner) if isinstance(parent, Mapping) else None
    return values.get(name)


def request_form(meta: FormMeta, values: Mapping[str, Any], *,
                 integrations: Mapping[str, str] | None = None, picked: str | None = None,
                 current: Mapping[str, Any] | None = None,
                 warnings: Iterable[Finding] = (), notice: str | None = None,
                 teams: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The modal for `meta.kind` with `values` filled in. For a change, `integrations` are the
    team's (row ID -> label), `picked` the chosen one's ID and `current` its configuration.
    `teams`: the partner teams to pick from (someone on several), shown on a new request.

    Nothing from production is prefilled on a change (what is left empty stays as it is), and
    list fields in place (production's, or `meta.listed` of the request reopened) are edited
    line by line: lines to add, lines to remove."""
    kind = meta.kind
    shape = Shape(kind, protocol=values.get("protocol"), ial=int_or_none(values.get("ial")))
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice, block_id=Block.notice.value))
    warnings = list(warnings)
    if warnings:
        blocks.append(section(warnings_text(warnings), block_id=Block.warnings.value))
    if meta.request is None:
        blocks.append(_kind_block(kind))
        if teams and len(teams) > 1:
            blocks.append(team_block(teams, values.get(TEAM_BLOCK), "request"))
    view: dict[str, Any] = {"type": "modal", "callback_id": Callback.request_form.value,
                            "title": plain(TITLE, 24), "close": plain("Cancel", 24),
                            "private_metadata": meta.dump(), "blocks": blocks}
    if kind == "sandbox":
        blocks.append(section(SANDBOX))
        view["submit"] = plain("OK", 24)
        return view
    if kind not in ("launch", "change", "staging"):
        blocks.append(context("Pick what you are requesting; the form follows."))
        view["submit"] = plain("Continue", 24)
        return view
    if kind == "change":
        if meta.request is None:
            blocks.append(_integration_block(integrations or {}, picked, meta.issuer))
        if meta.issuer is None and integrations:
            view["submit"] = plain("Continue", 24)  # ISS-FORMAT asks for the integration
            return view
        if current:
            blocks.append(section(current_text(current), block_id=Block.current.value))
        blocks.append(context("Change only what must change; every other value stays as it "
                              "is in production."))
    blocks.append(divider())
    for f in FIELDS:
        if not f.shown(shape):
            continue
        if f.name in LIST_EDITS and (kind == "change" or f.name in meta.listed):
            base = (current or {}).get(f.name) if kind == "change" else None
            blocks += _list_edit_blocks(f, values, base, shape)
        else:
            blocks.append(_input(f, nested_value(values, f.name), shape))
    view["submit"] = plain("Submit anyway" if warnings else
                           "Resubmit" if meta.request else "Submit", 24)
    return view


def _list_edit_blocks(field: Field, values: Mapping[str, Any], base: Sequence[Any] | None,
                      shape: Shape) -> list[dict[str, Any]]:
    label = field.label.lower()
    now = f"the {len(base)} in place" if base else "those in place"
    add = Field(add_block(field.name), f"{field.label}: add", "lines",
                hint=f"One per line. Only these are added; {now} stay as they are.")
    remove = Field(remove_block(field.name), f"{field.label}: remove", "lines",
                   hint=f"One per line, exactly as it is now. Leave empty to remove no {label}.")
    return [_input(add, values.get(add.name), shape),
            _input(remove, values.get(remove.name), shape)]


def list_fits(value: Any) -> bool:
    """Whether a list prefills its input whole (one per line)."""
    return not isinstance(value, list) or len("\n".join(map(str, value))) <= MAX_INPUT


def warnings_text(warnings: Iterable[Finding],
                  heading: str = "*Please look at these before you submit* (you can still "
                                 "submit):") -> str:
    lines = [f"• `{f.rule}` {escape(f.message)}" for f in warnings]
    return clip(f":warning: {heading}\n" + "\n".join(lines), 3000)


def current_text(current: Mapping[str, Any]) -> str:
    shown = ["protocol", "ial", "default_aal", "redirect_uris", "acs_url",
             "push_notification_url", "failure_to_proof_url", "block_encryption"]
    lines = [f"*{name}*" + (f" ({len(current[name])})" if isinstance(current[name], list)
                            else "") + f": {escape(_show(current[name]))}"
             for name in shown if current.get(name) not in (None, [], "")]
    return clip("*In production now*\n" + "\n".join(lines), 3000,
                note=" (shortened here; everything you do not change stays as it is)")


def _show(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def confirmation(record_id: str, target: date | None, cutoff: date | None,
                 warnings: Iterable[Finding]) -> dict[str, Any]:
    """What the modal turns into once the request is filed."""
    lines = [f"*{record_id}* is filed. Reviewers will look at it; you will get a DM at each "
             "step.", f"*Target deploy date:* {long_date(target)}"]
    if cutoff:
        lines.append(f"It made the cutoff of {long_date(cutoff)} for that deploy.")
    blocks = [section("\n".join(lines))]
    warnings = list(warnings)
    if warnings:
        blocks.append(section(warnings_text(warnings, "*Warnings on this request:*")))
    return {"type": "modal", "title": plain("Request filed", 24), "close": plain("Done", 24),
            "blocks": blocks}

