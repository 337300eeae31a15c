"""visibility of incoming messages and of the replies to them

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message') as batch:
        batch.add_column(sa.Column('visibility', sa.String(length=16), nullable=True))
    with op.batch_alter_table('delivery') as batch:
        batch.add_column(sa.Column('visibility', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('delivery') as batch:
        batch.drop_column('visibility')
    with op.batch_alter_table('message') as batch:
        batch.drop_column('visibility')
