"""hot page indexes: the grading queue and the students lists walk an index in their order

Revision ID: d4f6a8c0e2b3
Revises: 5e1c7b93a2f0
Create Date: 2026-12-02 07:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4f6a8c0e2b3'
down_revision = '5e1c7b93a2f0'
branch_labels = None
depends_on = None


def upgrade():
    # A site's queue (and the capped count of a state's) reads its page from this index alone:
    # the section and id join the site's old (site_id, status, submitted_at) index.
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_site_queue')
        batch_op.create_index(
            'ix_attempt_site_queue',
            ['site_id', 'status', 'section', 'submitted_at', 'id'],
            unique=False,
        )
    # A coordinator's or an admin's queue reads this index in the queue's order, checking the
    # site on the index entry, and stops at the page's end (an index-only scan).
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index(
            'ix_attempt_test_queue',
            ['status', 'section', 'submitted_at', 'id', 'site_id'],
            unique=False,
        )
    # The same for the students lists and the gradebook of a state or the installation.
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.create_index(
            'ix_student_name', ['family_name', 'given_name', 'id', 'site_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_index('ix_student_name')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_test_queue')
        batch_op.drop_index('ix_attempt_site_queue')
        batch_op.create_index(
            'ix_attempt_site_queue', ['site_id', 'status', 'submitted_at'], unique=False
        )
