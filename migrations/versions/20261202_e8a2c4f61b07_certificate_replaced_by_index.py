"""certificate replaced_by index: /verify finds what a certificate replaced without a scan

Revision ID: e8a2c4f61b07
Revises: d4f6a8c0e2b3
Create Date: 2026-12-02 07:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8a2c4f61b07'
down_revision = 'd4f6a8c0e2b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_replaced_by_id'), ['replaced_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_replaced_by_id'))
