"""page generations: kept pages name how many changes each site's records have seen

Revision ID: b8c0d2e4f6a1
Revises: a7d9e1f3b5c8
Create Date: 2026-12-02 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8c0d2e4f6a1'
down_revision = 'a7d9e1f3b5c8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'page_generation',
        sa.Column('site_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('site_id', name=op.f('pk_page_generation')),
    )


def downgrade():
    op.drop_table('page_generation')
