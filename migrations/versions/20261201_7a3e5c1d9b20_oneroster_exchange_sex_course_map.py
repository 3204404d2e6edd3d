"""OneRoster exchange: course map, roster classes, roster jobs, enrollment sourcedId, student sex (merges two heads)

Revision ID: 7a3e5c1d9b20
Revises: 5e7a1c9d2b40
Create Date: 2026-12-01 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3e5c1d9b20'
down_revision = '5e7a1c9d2b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_course_map',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_roster_course_map_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_course_map')),
    sa.UniqueConstraint('key', name=op.f('uq_roster_course_map_key'))
    )
    with op.batch_alter_table('roster_course_map', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_course_map_course_id'), ['course_id'], unique=False)

    op.create_table('roster_class',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sourced_id', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_roster_class_course_id_course')),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], name=op.f('fk_roster_class_site_id_site')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_class')),
    sa.UniqueConstraint('sourced_id', name=op.f('uq_roster_class_sourced_id'))
    )
    with op.batch_alter_table('roster_class', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_class_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_class_site_id'), ['site_id'], unique=False)

    op.create_table('roster_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('state_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('phase', sa.String(length=16), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_roster_job_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['import_id'], ['roster_import.id'], name=op.f('fk_roster_job_import_id_roster_import')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_job'))
    )
    with op.batch_alter_table('roster_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_job_created_by_id'), ['created_by_id'], unique=False)

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_id', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_enrollment_roster_id'), ['roster_id'], unique=False)

    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=1), nullable=True))


def downgrade():
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_column('sex')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrollment_roster_id'))
        batch_op.drop_column('roster_id')

    with op.batch_alter_table('roster_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_job_created_by_id'))

    op.drop_table('roster_job')
    with op.batch_alter_table('roster_class', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_class_site_id'))
        batch_op.drop_index(batch_op.f('ix_roster_class_course_id'))

    op.drop_table('roster_class')
    with op.batch_alter_table('roster_course_map', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_course_map_course_id'))

    op.drop_table('roster_course_map')
