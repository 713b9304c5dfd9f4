"""attachment links: the Slack permalink of an uploaded logo or certificate, so the details
modal links to the file as uploaded (NULL for files filed before, or given on the command line)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('attachments') as batch_op:
        batch_op.add_column(sa.Column('link', sa.String(length=1024), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('attachments') as batch_op:
        batch_op.drop_column('link')
