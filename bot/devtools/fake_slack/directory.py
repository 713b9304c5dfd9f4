"""The fake's directory: users, user groups, channels and external teams it knows (configured
with `add_user`, `add_usergroup`, `add_channel`, `add_team`), and the Web API methods that read
them: auth.test, users.info, users.lookupByEmail, team.info, conversations.members,
usergroups.users.list (mixed into FakeSlack)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.devtools.fake_slack.state import SlackError


class DirectoryMixin:
    def add_user(self, user_id: str, *, name: str | None = None, team_id: str | None = None,
                 tz: str = "America/New_York", real_name: str | None = None,
                 email: str | None = None, is_bot: bool = False) -> dict[str, Any]:
        """A user users.info knows; `team_id` other than the fake's is a Slack Connect guest."""
        name = name or user_id.lower()
        user = {"id": user_id, "team_id": team_id or self.team_id, "name": name,
                "real_name": real_name or name, "tz": tz, "is_bot": is_bot, "deleted": False,
                "profile": {"real_name": real_name or name, "display_name": name,
                            "email": email or f"{name}@example.gov",
                            "team": team_id or self.team_id}}
        with self._cond:
            self.users[user_id] = user
        return copy.deepcopy(user)

    def add_usergroup(self, group_id: str, user_ids: Iterable[str]) -> None:
        with self._cond:
            self.usergroups[group_id] = list(user_ids)

    def add_channel(self, channel_id: str, *, name: str | None = None,
                    is_member: bool = True, members: Iterable[str] = ()) -> None:
        """Channels are open by default; one added with is_member=False answers not_in_channel
        (the bot has no chat:write.public and must be invited). `members`: what
        conversations.members lists."""
        with self._cond:
            self.channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(),
                                         "is_member": is_member, "members": list(members)}

    def add_team(self, team_id: str, name: str) -> None:
        """An external (Slack Connect) workspace team.info knows by this name (one any added
        user comes from is known as "<team_id> workspace")."""
        with self._cond:
            self.teams[team_id] = name

    def dm_channel_id(self, user_id: str) -> str:
        """The bot's DM channel with a user (what conversations.open answers)."""
        return "D" + user_id[1:] if user_id[:1] in ("U", "W") else "D" + user_id

    def _auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"https://{self.team_domain}.slack.com/", "team": self.team_name,
                "user": "launchbot", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(params.get("user") or "")
        if user is None:
            raise SlackError("user_not_found")
        user = copy.deepcopy(user)
        offset = datetime.fromtimestamp(self.clock(), ZoneInfo(user["tz"])).utcoffset()
        user["tz_offset"] = int(offset.total_seconds()) if offset else 0
        user["tz_label"] = user["tz"]
        return {"user": user}

    def _users_lookup_by_email(self, params: dict[str, Any]) -> dict[str, Any]:
        email = (params.get("email") or "").lower()
        for user in self.users.values():
            if user["profile"]["email"].lower() == email:
                return {"user": copy.deepcopy(user)}
        raise SlackError("users_not_found")

    def _team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        team_id = params.get("team") or self.team_id
        if team_id == self.team_id:
            name = self.team_name
        elif team_id in self.teams:
            name = self.teams[team_id]
        elif any(u["team_id"] == team_id for u in self.users.values()):
            name = f"{team_id} workspace"
        else:
            raise SlackError("team_not_found")
        return {"team": {"id": team_id, "name": name, "domain": team_id.lower()}}

    def _conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(params.get("channel") or "")
        if channel is None:
            raise SlackError("channel_not_found")
        return {"members": list(channel.get("members", [])),
                "response_metadata": {"next_cursor": ""}}

    def _usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = params.get("usergroup") or ""
        if group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}
