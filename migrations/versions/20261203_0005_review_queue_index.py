"""the reviewer queue in order: a partial index on undecided requests by submission time

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# The requests the reviewer queue lists (bot.store.models.UNDECIDED at 0005).
UNDECIDED = "state IN ('in_review', 'submitted')"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index('ix_requests_undecided_submitted', 'requests', ['submitted_at', 'id'],
                    sqlite_where=sa.text(UNDECIDED), postgresql_where=sa.text(UNDECIDED))


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_requests_undecided_submitted', table_name='requests',
                  sqlite_where=sa.text(UNDECIDED), postgresql_where=sa.text(UNDECIDED))
