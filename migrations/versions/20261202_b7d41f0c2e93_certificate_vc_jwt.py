"""certificate.credential_jwt: the credential as a VC-JWT (ES256)

Revision ID: b7d41f0c2e93
Revises: 63ff974df3db
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41f0c2e93'
down_revision = '63ff974df3db'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('certificate') as batch_op:
        batch_op.add_column(sa.Column('credential_jwt', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('certificate') as batch_op:
        batch_op.drop_column('credential_jwt')
