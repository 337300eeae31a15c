"""safety delay per event; deliveries confirmed one by one during an emergency hold

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('safety_delay_seconds', sa.Integer(), server_default='10', nullable=False))
    with op.batch_alter_table('delivery') as batch:
        batch.add_column(sa.Column('confirmed', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('delivery') as batch:
        batch.drop_column('confirmed')
    with op.batch_alter_table('event') as batch:
        batch.drop_column('safety_delay_seconds')
