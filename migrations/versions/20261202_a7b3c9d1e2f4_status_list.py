"""bitstring status list: one index per certificate, the installation's list

Revision ID: a7b3c9d1e2f4
Revises: c2ea8c074411
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7b3c9d1e2f4'
down_revision = 'c2ea8c074411'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'status_list',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('next_index', sa.Integer(), nullable=False),
        sa.Column('length', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('credential', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_list')),
        sa.UniqueConstraint('purpose', name=op.f('uq_status_list_purpose')),
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_index', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_certificate_status_index'), ['status_index']
        )
        batch_op.create_index('ix_certificate_revoked_at', ['revoked_at'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('ix_certificate_revoked_at')
        batch_op.drop_constraint(batch_op.f('uq_certificate_status_index'), type_='unique')
        batch_op.drop_column('status_index')
    op.drop_table('status_list')
