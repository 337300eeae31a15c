"""metrics sampled from the platforms: follower counts, engagement per post, the sampler's schedule

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from server.db.base import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'follower_sample',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('account', sa.String(length=128), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('followers', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_follower_sample_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_follower_sample')),
    )
    op.create_index('ix_follower_sample_event_platform_at', 'follower_sample', ['event_id', 'platform', 'at'])
    op.create_table(
        'engagement_sample',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('likes', sa.Integer(), nullable=False),
        sa.Column('reposts', sa.Integer(), nullable=False),
        sa.Column('replies', sa.Integer(), nullable=False),
        sa.Column('quotes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['delivery.id'],
                                name=op.f('fk_engagement_sample_delivery_id_delivery'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_engagement_sample_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_sample')),
    )
    op.create_index('ix_engagement_sample_delivery_at', 'engagement_sample', ['delivery_id', 'at'])
    op.create_index(op.f('ix_engagement_sample_event_id'), 'engagement_sample', ['event_id'])
    op.create_table(
        'metrics_account',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=16), nullable=False),
        sa.Column('account', sa.String(length=128), nullable=False),
        sa.Column('due_at', UTCDateTime(), nullable=False),
        sa.Column('lease_owner', sa.String(length=64), nullable=True),
        sa.Column('lease_until', UTCDateTime(), nullable=True),
        sa.Column('samples', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_metrics_account_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics_account')),
        sa.UniqueConstraint('event_id', 'platform', 'account', name='uq_metrics_account_key'),
    )


def downgrade() -> None:
    op.drop_table('metrics_account')
    op.drop_index(op.f('ix_engagement_sample_event_id'), table_name='engagement_sample')
    op.drop_index('ix_engagement_sample_delivery_at', table_name='engagement_sample')
    op.drop_table('engagement_sample')
    op.drop_index('ix_follower_sample_event_platform_at', table_name='follower_sample')
    op.drop_table('follower_sample')
