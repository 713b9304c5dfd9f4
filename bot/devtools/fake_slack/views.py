"""Views in the fake: trigger_ids, views.open/push/update/publish, and what Slack does with a
view_submission's response action (mixed into FakeSlack; methods run with its lock held)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.devtools.block_limits import Surface, response_action_problems
from bot.devtools.fake_slack.state import (
    MAX_VIEW_STACK,
    RESPONSE_ACTION_METHOD,
    TRIGGER_TTL,
    Answer,
    SlackError,
    Trigger,
    invalid,
)
from bot.devtools.slack_strict import view_problems


class ViewsMixin:
    def issue_trigger(self, user_id: str | None = None, *, view_id: str | None = None) -> str:
        """A trigger_id as Slack sends with an interaction: good for one views.open/push within
        3 seconds (by this fake's clock)."""
        with self._cond:
            n = next(self._ids)
            trigger_id = f"{int(self.clock())}.{n:06d}.{n * 2654435761 % 2**32:08x}"
            self._triggers[trigger_id] = Trigger(self.clock(), user_id, view_id)
        return trigger_id

    def apply_response_action(self, submitted_view: Mapping[str, Any], answer: Mapping[str, Any],
                              user_id: str | None = None) -> list[str]:
        """What Slack does with a view_submission's HTTP answer: refuse it if invalid (the
        user sees an error), else update/push/clear the stack. Recorded as a
        `response_action` call; returns the problems."""
        found = response_action_problems(answer, submitted_view)
        if not found and answer.get("response_action") in ("update", "push"):
            found = view_problems(answer.get("view"), "modal")  # slack_sdk's models too
        with self._cond:
            body: dict[str, Any] = {"ok": True}
            view_id = submitted_view.get("id")
            action = answer.get("response_action")
            try:
                if found:
                    raise invalid(found)
                if action == "update" and view_id in self._views:
                    body["view"] = self._replace_view(view_id, answer["view"])
                elif action == "push":
                    body["view"] = self._push_view(view_id, answer["view"], user_id)
                elif action == "clear" and view_id in self._views:
                    self._stacks.pop(self._views[view_id]["root_view_id"], None)
            except SlackError as exc:
                body = {"ok": False, "error": exc.error, **exc.extra}
                found = found or [exc.error]
            self._record(RESPONSE_ACTION_METHOD, dict(answer), {},
                         Answer(200 if body["ok"] else 400, body))
        return found

    def _use_trigger(self, trigger_id: Any) -> Trigger:
        trigger = self._triggers.get(trigger_id) if isinstance(trigger_id, str) else None
        if trigger is None:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued >= TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _store_view(self, view: Mapping[str, Any], *, view_id: str, user_id: str | None,
                    root_view_id: str | None = None,
                    previous_view_id: str | None = None) -> dict[str, Any]:
        stored = {
            "id": view_id, "team_id": self.team_id, "type": view.get("type"),
            "title": view.get("title"), "submit": view.get("submit"), "close": view.get("close"),
            "blocks": self._fill_ids(list(view.get("blocks") or [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""), "external_id": view.get("external_id", ""),
            "state": {"values": {}}, "hash": f"{int(self.clock())}.{next(self._ids):08x}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "submit_disabled": bool(view.get("submit_disabled", False)),
            "root_view_id": root_view_id or view_id, "previous_view_id": previous_view_id,
            "app_id": self.app_id, "app_installed_team_id": self.team_id, "bot_id": self.bot_id,
        }
        self._views[view_id] = stored
        self._view_users[view_id] = user_id
        self._touched.append(view_id)
        return copy.deepcopy(stored)

    def _replace_view(self, view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
        old = self._views[view_id]
        return self._store_view(view, view_id=view_id, user_id=self._view_users.get(view_id),
                                root_view_id=old["root_view_id"],
                                previous_view_id=old["previous_view_id"])

    def _push_view(self, from_view_id: str | None, view: Mapping[str, Any],
                   user_id: str | None) -> dict[str, Any]:
        root = self._views[from_view_id]["root_view_id"] if from_view_id in self._views else None
        stack = self._stacks.get(root, []) if root else []
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        view_id = self._new_id("V")
        stored = self._store_view(view, view_id=view_id, user_id=user_id,
                                  root_view_id=root or view_id,
                                  previous_view_id=stack[-1] if stack else None)
        self._stacks.setdefault(root or view_id, []).append(view_id)
        return stored

    def _check_view(self, view: Any, surface: Surface) -> Mapping[str, Any]:
        if not isinstance(view, Mapping):
            raise invalid(["must provide an object [json-pointer:/view]"])
        found = view_problems(view, surface)
        if found:
            raise invalid(found)
        return view

    def _views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(params.get("view"), "modal")
        trigger = self._use_trigger(params.get("trigger_id"))
        view_id = self._new_id("V")
        stored = self._store_view(view, view_id=view_id, user_id=trigger.user_id)
        self._stacks[view_id] = [view_id]
        return {"view": stored}

    def _views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._check_view(params.get("view"), "modal")
        trigger = self._use_trigger(params.get("trigger_id"))
        return {"view": self._push_view(trigger.view_id, view, trigger.user_id)}

    def _views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        if not view_id and params.get("external_id"):
            view_id = next((v["id"] for v in self._views.values()
                            if v["external_id"] == params["external_id"]), None)
        if not view_id or view_id not in self._views:
            raise SlackError("not_found")
        current = self._views[view_id]
        view = self._check_view(params.get("view"), current["type"])
        if params.get("hash") and params["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._replace_view(view_id, view)}

    def _views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise SlackError("invalid_arguments")
        view = self._check_view(params.get("view"), "home")
        view_id = self._home.get(user_id)
        if view_id and params.get("hash") and params["hash"] != self._views[view_id]["hash"]:
            raise SlackError("hash_conflict")
        view_id = view_id or self._new_id("V")
        self._home[user_id] = view_id
        return {"view": self._store_view(view, view_id=view_id, user_id=user_id)}
