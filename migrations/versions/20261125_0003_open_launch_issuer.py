"""one open launch request per issuer: a partial unique index behind ISS-UNIQUE

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The launches ISS-UNIQUE reads as holding their issuer (bot.store.models.OPEN_LAUNCH at 0003).
OPEN_LAUNCH = ("kind = 'launch' AND state IN "
               "('approved', 'changes_requested', 'in_review', 'submitted')")


def upgrade() -> None:
    """Upgrade schema."""
    # Duplicates the race already let in would fail the index with a bare "could not create
    # unique index": name the requests instead, for someone to withdraw or reject first.
    clashes = op.get_bind().execute(sa.text(
        f"SELECT issuer, id FROM requests WHERE {OPEN_LAUNCH} AND issuer IN ("
        f"SELECT issuer FROM requests WHERE {OPEN_LAUNCH} "
        "GROUP BY issuer HAVING COUNT(*) > 1) ORDER BY issuer, id")).all()
    if clashes:
        held: dict[str, list[str]] = {}
        for issuer, request_id in clashes:
            held.setdefault(issuer, []).append(f"LR-{request_id + 1000}")
        listed = "; ".join(f"{issuer}: {', '.join(ids)}" for issuer, ids in held.items())
        raise RuntimeError("several open launch requests share an issuer (withdraw or reject "
                           f"all but one of each, then upgrade again): {listed}")
    op.create_index('uq_requests_open_launch_issuer', 'requests', ['issuer'], unique=True,
                    sqlite_where=sa.text(OPEN_LAUNCH), postgresql_where=sa.text(OPEN_LAUNCH))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_requests_open_launch_issuer', table_name='requests',
                  sqlite_where=sa.text(OPEN_LAUNCH), postgresql_where=sa.text(OPEN_LAUNCH))
