"""signing keys: every key the installation signed with, and when; trusted peers' rotated keys

Revision ID: c3e5f7a9b1d2
Revises: a7b3c9d1e2f4
Create Date: 2026-12-02 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5f7a9b1d2'
down_revision = 'a7b3c9d1e2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'signing_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('public_key_multibase', sa.String(length=200), nullable=False),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('valid_from', sa.DateTime(), nullable=False),
        sa.Column('valid_until', sa.DateTime(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('endorsement', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ['created_by_id'], ['user_account.id'], name=op.f('fk_signing_key_created_by_id_user_account')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_key')),
        sa.UniqueConstraint('name', name=op.f('uq_signing_key_name')),
    )


    with op.batch_alter_table('trusted_issuer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('rotated_keys', sa.JSON(), server_default=sa.text("'{}'"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('trusted_issuer', schema=None) as batch_op:
        batch_op.drop_column('rotated_keys')
    op.drop_table('signing_key')
