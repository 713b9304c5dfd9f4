"""initial schema: integrations, requests, attachments, audit, outbox, job claims, events

Revision ID: 0001
Revises:
Create Date: 2026-11-25

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('integrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=1024), nullable=False),
    sa.Column('agency', sa.String(length=255), nullable=True),
    sa.Column('friendly_name', sa.String(length=255), nullable=True),
    sa.Column('team_id', sa.String(length=32), nullable=True),
    sa.Column('configuration', sa.JSON(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrations')),
    sa.UniqueConstraint('issuer', name=op.f('uq_integrations_issuer'))
    )
    op.create_index(op.f('ix_integrations_team_id'), 'integrations', ['team_id'], unique=False)
    op.create_table('job_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=64), nullable=False),
    sa.Column('claimed_by', sa.String(length=128), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claims')),
    sa.UniqueConstraint('job', 'period', name='uq_job_claims_job_period')
    )
    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_processed_events'))
    )
    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=1024), nullable=True),
    sa.Column('integration_id', sa.Integer(), nullable=True),
    sa.Column('requester_user_id', sa.String(length=32), nullable=False),
    sa.Column('requester_team_id', sa.String(length=32), nullable=False),
    sa.Column('submitted', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('diff', sa.JSON(), nullable=True),
    sa.Column('earliest_deploy_date', sa.Date(), nullable=True),
    sa.Column('target_deploy_date', sa.Date(), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('slip_count', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('reviewer_id', sa.String(length=32), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('deployed_by', sa.String(length=64), nullable=True),
    sa.Column('deployed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('card_channel', sa.String(length=32), nullable=True),
    sa.Column('card_ts', sa.String(length=32), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], name=op.f('fk_requests_integration_id_integrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_requests_idempotency_key'))
    )
    op.create_index(op.f('ix_requests_created_at'), 'requests', ['created_at'], unique=False)
    op.create_index(op.f('ix_requests_integration_id'), 'requests', ['integration_id'], unique=False)
    op.create_index('ix_requests_issuer_state', 'requests', ['issuer', 'state'], unique=False)
    op.create_index('ix_requests_state_submitted', 'requests', ['state', 'submitted_at'], unique=False)
    op.create_index('ix_requests_state_target', 'requests', ['state', 'target_deploy_date'], unique=False)
    op.create_index('ix_requests_team_created', 'requests', ['requester_team_id', 'created_at'], unique=False)
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_attachments_request_id_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    op.create_index(op.f('ix_attachments_request_id'), 'attachments', ['request_id'], unique=False)
    op.create_table('audit_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=24), nullable=True),
    sa.Column('to_state', sa.String(length=24), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_audit_events_request_id_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index(op.f('ix_audit_events_at'), 'audit_events', ['at'], unique=False)
    op.create_index('ix_audit_events_request_at', 'audit_events', ['request_id', 'at'], unique=False)
    op.create_table('integration_deploys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('integration_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('deployed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=False),
    sa.Column('configuration', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['integration_id'], ['integrations.id'], name=op.f('fk_integration_deploys_integration_id_integrations')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_integration_deploys_request_id_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_deploys'))
    )
    op.create_index(op.f('ix_integration_deploys_integration_id'), 'integration_deploys', ['integration_id'], unique=False)
    op.create_index(op.f('ix_integration_deploys_request_id'), 'integration_deploys', ['request_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=True),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_ts', sa.String(length=32), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_outbox_request_id_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    op.create_index(op.f('ix_outbox_request_id'), 'outbox', ['request_id'], unique=False)
    op.create_index('ix_outbox_status_next', 'outbox', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_outbox_status_next', table_name='outbox')
    op.drop_index(op.f('ix_outbox_request_id'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_integration_deploys_request_id'), table_name='integration_deploys')
    op.drop_index(op.f('ix_integration_deploys_integration_id'), table_name='integration_deploys')
    op.drop_table('integration_deploys')
    op.drop_index('ix_audit_events_request_at', table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_at'), table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index(op.f('ix_attachments_request_id'), table_name='attachments')
    op.drop_table('attachments')
    op.drop_index('ix_requests_team_created', table_name='requests')
    op.drop_index('ix_requests_state_target', table_name='requests')
    op.drop_index('ix_requests_state_submitted', table_name='requests')
    op.drop_index('ix_requests_issuer_state', table_name='requests')
    op.drop_index(op.f('ix_requests_integration_id'), table_name='requests')
    op.drop_index(op.f('ix_requests_created_at'), table_name='requests')
    op.drop_table('requests')
    op.drop_table('processed_events')
    op.drop_table('job_claims')
    op.drop_index(op.f('ix_integrations_team_id'), table_name='integrations')
    op.drop_table('integrations')
