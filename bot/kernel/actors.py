"""Who is acting. Whether a Slack user is a reviewer, and which partner teams they are on, is
the Slack adapter's to find out (bot.teams.membership)."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_USER = "system"


@dataclass(frozen=True)
class Actor:
    user_id: str
    team_id: str  # the user's home Slack workspace (recorded; it decides nothing)
    is_reviewer: bool = False
    teams: frozenset[int] = frozenset()  # the partner teams the user is on (bot.kernel.access)
    acting_for: int | None = None  # the team picked on the form, when on several

    @classmethod
    def system(cls) -> Actor:
        """The scheduler: slips what was not deployed. It decides nothing else."""
        return cls(user_id=SYSTEM_USER, team_id="", is_reviewer=False)

    @property
    def is_system(self) -> bool:
        return self.user_id == SYSTEM_USER

    @property
    def team(self) -> int | None:
        """The team a request or ticket filed now belongs to: the one picked, or the only one."""
        if self.acting_for is not None:
            return self.acting_for if self.acting_for in self.teams else None
        return next(iter(self.teams)) if len(self.teams) == 1 else None
