"""alerts on audience messages whatever their label, and messages in languages nobody screens

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message') as batch:
        batch.add_column(sa.Column('alert', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('alert_reasons', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))
        batch.add_column(sa.Column('screened', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('question_group') as batch:
        batch.add_column(sa.Column('alert', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column('unscreened', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Messages stored before this revision: an emergency label was their alert.
    op.execute("UPDATE message SET alert = true WHERE label = 'emergency'")
    op.execute("UPDATE question_group SET alert = true WHERE label = 'emergency'")


def downgrade() -> None:
    with op.batch_alter_table('question_group') as batch:
        batch.drop_column('unscreened')
        batch.drop_column('alert')
    with op.batch_alter_table('message') as batch:
        batch.drop_column('screened')
        batch.drop_column('alert_reasons')
        batch.drop_column('alert')
