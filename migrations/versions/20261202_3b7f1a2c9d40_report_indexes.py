"""reports: per-enrollment report facts, partial indexes on unit_progress, students by site and kind

Revision ID: 3b7f1a2c9d40
Revises: 9c4d2e6f8a10
Create Date: 2026-12-02 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7f1a2c9d40'
down_revision = '9c4d2e6f8a10'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_unit_progress_waiting', 'enrollment_id', "status IN ('returned', 'awaiting_grading')"),
    ('ix_unit_progress_early_failed', 'enrollment_id', "status = 'failed' AND unit_number <= 3"),
    ('ix_unit_progress_approved', 'enrollment_id', 'test_approved_at IS NOT NULL'),
    ('ix_unit_progress_passed_at', 'completed_at', "status = 'passed'"),
]


def upgrade():
    op.create_table(
        'report_enrollment',
        sa.Column('enrollment_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('student_id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=24), nullable=False),
        sa.Column('assigned_at', sa.DateTime(), nullable=False),
        sa.Column('completed_at', sa.DateTime(), nullable=True),
        sa.Column('last_activity_at', sa.DateTime(), nullable=True),
        sa.Column('early_failed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('enrollment_id', name=op.f('pk_report_enrollment')),
    )
    op.create_index('ix_report_enrollment_site', 'report_enrollment', ['site_id', 'stage'])
    op.create_index(
        'ix_report_enrollment_activity', 'report_enrollment', ['site_id', 'last_activity_at']
    )
    op.create_index('ix_report_enrollment_student', 'report_enrollment', ['student_id'])
    early = "early_failed AND stage <> 'completed' AND stage <> 'withdrawn'"
    op.create_index(
        'ix_report_enrollment_early_failed',
        'report_enrollment',
        ['site_id'],
        sqlite_where=sa.text(early),
        postgresql_where=sa.text(early),
    )
    op.create_table(
        'report_refresh',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_refresh')),
    )
    op.create_index('ix_student_site_kind', 'student', ['site_id', 'kind', 'id'])
    for name, column, where in INDEXES:
        op.create_index(
            name,
            'unit_progress',
            [column],
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade():
    op.drop_table('report_refresh')
    op.drop_index('ix_report_enrollment_early_failed', table_name='report_enrollment')
    op.drop_index('ix_report_enrollment_student', table_name='report_enrollment')
    op.drop_index('ix_report_enrollment_activity', table_name='report_enrollment')
    op.drop_index('ix_report_enrollment_site', table_name='report_enrollment')
    op.drop_table('report_enrollment')
    op.drop_index('ix_student_site_kind', table_name='student')
    for name, _column, _where in INDEXES:
        op.drop_index(name, table_name='unit_progress')
