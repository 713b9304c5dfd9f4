"""Who is acting. Whether a Slack user is a reviewer is the Slack adapter's to find out."""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_USER = "system"


@dataclass(frozen=True)
class Actor:
    user_id: str
    team_id: str
    is_reviewer: bool = False

    @classmethod
    def system(cls) -> Actor:
        """The scheduler: slips what was not deployed. It decides nothing else."""
        return cls(user_id=SYSTEM_USER, team_id="", is_reviewer=False)

    @property
    def is_system(self) -> bool:
        return self.user_id == SYSTEM_USER
