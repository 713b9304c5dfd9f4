"""The declarative base every table derives from, and the columns several tables share (an
audit trail's, a stored file's, a team binding's), declared once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, Relationship, mapped_column, relationship

from bot.store.types import BigId, UTCDateTime

# Stable constraint names, so later migrations can refer to them (and SQLite batch mode works).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


def owned(child: str, parent: str) -> Relationship[Any]:
    """A parent's rows of `child` (a message, an attachment, a member): they live and die with
    their parent (`parent` is their side of the relationship), in the order they were made."""
    return relationship(back_populates=parent, order_by=f"{child}.id",
                        cascade="all, delete-orphan")


class TrailColumns:
    """One event of an audit trail: who did what, when, with its details. Append-only, so
    the key is a big integer."""

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime] = mapped_column(index=True)


class TransitionTrailColumns(TrailColumns):
    """An event of a record with states: also the state it left and the one it reached."""

    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))


class StoredFileColumns:
    """A file exactly as uploaded, with its digest and size."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    created_at: Mapped[datetime]


class TeamBindingColumns:
    """Something of Slack's bound to a partner team by a reviewer (a workspace, a channel)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    bound_by: Mapped[str] = mapped_column(String(64))
    bound_at: Mapped[datetime]
