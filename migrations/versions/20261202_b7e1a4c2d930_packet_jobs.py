"""packet jobs: a unit's printable packets for many students, made by a background job

Revision ID: b7e1a4c2d930
Revises: b7d1e4a2c9f3
Create Date: 2026-12-02 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1a4c2d930'
down_revision = 'b7d1e4a2c9f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('packet_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('sheets', sa.JSON(), nullable=False),
    sa.Column('page_size', sa.String(length=10), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='jobstatus', native_enum=False, length=24), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('lease_token', sa.String(length=32), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('runs', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_packet_job_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packet_job'))
    )
    with op.batch_alter_table('packet_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packet_job_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('packet_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packet_job_created_by_id'))

    op.drop_table('packet_job')
