"""outbox sent parts: the messages of a row already posted, as [channel, ts] pairs, when Slack
failed before the last of them (a post split into a message and its thread): whichever process
retries the row carries on after them instead of posting them again

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.add_column(sa.Column('sent_parts', sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('outbox') as batch_op:
        batch_op.drop_column('sent_parts')
