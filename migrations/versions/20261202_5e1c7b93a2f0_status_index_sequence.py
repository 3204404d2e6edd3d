"""status index sequence: PostgreSQL hands out status list indexes without a lock

Revision ID: 5e1c7b93a2f0
Revises: c3e5f7a9b1d2
Create Date: 2026-12-02 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1c7b93a2f0'
down_revision = 'c3e5f7a9b1d2'
branch_labels = None
depends_on = None

SEQUENCE = 'certificate_status_index_seq'


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return  # SQLite keeps counting in status_list.next_index
    start = bind.execute(
        sa.text(
            'SELECT GREATEST('
            '(SELECT COALESCE(MAX(next_index), 0) FROM status_list), '
            '(SELECT COALESCE(MAX(status_index) + 1, 0) FROM certificate))'
        )
    ).scalar()
    op.execute(f'CREATE SEQUENCE {SEQUENCE} MINVALUE 0 START WITH {int(start)}')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return
    op.execute(
        'UPDATE status_list SET next_index = GREATEST(next_index, '
        '(SELECT COALESCE(MAX(status_index) + 1, 0) FROM certificate))'
    )
    op.execute(f'DROP SEQUENCE {SEQUENCE}')
