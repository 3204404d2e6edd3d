"""gradebook: a stored folded search name for students; students' requests for test approval

`student.search_name` holds the student's names without accents, lower-case ("jose garcia
lopez"), so a search that ignores accents compares a stored, indexed column on SQLite and
PostgreSQL alike (no `unaccent` extension needed). Existing rows are backfilled in batches with
the same folding as `app/search.py` (copied here so this migration never changes).
`approval_request` holds a student's ask for a unit-test approval; a partial unique index keeps
one open request per unit.

Revision ID: b7d1e4a2c9f3
Revises: b7d41f0c2e93
Create Date: 2026-12-02 02:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d1e4a2c9f3'
down_revision = 'b7d41f0c2e93'
branch_labels = None
depends_on = None

ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüñçýÿÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuncyyAAAAAAEEEEIIIIOOOOOUUUUNCY"
TABLE = str.maketrans(ACCENTED, PLAIN)
BATCH = 5000


def name_key(*names):
    return " ".join(" ".join(n for n in names if n).translate(TABLE).lower().split())


def upgrade():
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=320), server_default='', nullable=False))
        batch_op.create_index('ix_student_site_search', ['site_id', 'search_name'], unique=False)
    _backfill()
    op.create_table('approval_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_progress_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_approval_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user_account.id'], name=op.f('fk_approval_request_resolved_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_progress_id'], ['unit_progress.id'], name=op.f('fk_approval_request_unit_progress_id_unit_progress')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_request'))
    )
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.create_index('ix_approval_request_open_at', ['resolved_at', 'requested_at'], unique=False)
        batch_op.create_index('uq_approval_request_open', ['unit_progress_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))


def _backfill():
    connection = op.get_bind()
    student = sa.table('student', sa.column('id', sa.Integer), sa.column('given_name'),
                       sa.column('family_name'), sa.column('second_family_name'),
                       sa.column('search_name'))
    update = (student.update().where(student.c.id == sa.bindparam('b_id'))
              .values(search_name=sa.bindparam('b_name')))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(student.c.id, student.c.given_name, student.c.family_name,
                      student.c.second_family_name)
            .where(student.c.id > last).order_by(student.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(update, [
            {'b_id': r.id, 'b_name': name_key(r.given_name, r.family_name, r.second_family_name)}
            for r in rows
        ])
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table('approval_request', schema=None) as batch_op:
        batch_op.drop_index('uq_approval_request_open', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index('ix_approval_request_open_at')
    op.drop_table('approval_request')
    with op.batch_alter_table('student', schema=None) as batch_op:
        batch_op.drop_index('ix_student_site_search')
        batch_op.drop_column('search_name')
