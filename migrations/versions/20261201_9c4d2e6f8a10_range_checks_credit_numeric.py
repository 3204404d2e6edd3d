"""range checks on scores, counts and credit; credit as NUMERIC(6, 2)

The existing rows are checked first: if any would break a new check, or holds a credit that
NUMERIC(6, 2) cannot keep exactly (more than two decimals), the upgrade changes nothing and stops
with one line per broken check naming the table, the column, how many rows and a few of their
ids. Nothing is repaired: no wrong score or credit has one right value to put in its place.

Revision ID: 9c4d2e6f8a10
Revises: ee9a3dd443af
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c4d2e6f8a10'
down_revision = 'ee9a3dd443af'
branch_labels = None
depends_on = None

# table: [(constraint name, column it guards, condition)]; the models declare the same checks.
CHECKS = {
    'course_version': [
        ('credit_range', 'credit', 'credit > 0 AND credit <= 2'),
        ('hours_range', 'hours', 'hours >= 0'),
        ('unit_count_range', 'unit_count', 'unit_count >= 1'),
    ],
    'unit': [
        ('number_range', 'number', 'number >= 1'),
        ('hours_range', 'hours', 'hours >= 0'),
    ],
    'item': [('points_range', 'points', 'points > 0')],
    'unit_progress': [
        ('unit_number_range', 'unit_number', 'unit_number >= 1'),
        ('lessons_read_range', 'lessons_read', 'lessons_read >= 0'),
        ('work_percent_range', 'work_percent', 'work_percent >= 0 AND work_percent <= 100'),
        ('best_test_percent_range', 'best_test_percent',
         'best_test_percent >= 0 AND best_test_percent <= 100'),
        ('test_attempts_range', 'test_attempts', 'test_attempts >= 0'),
    ],
    'attempt': [
        ('number_range', 'number', 'number >= 1'),
        ('points_range', 'auto_points, manual_points, max_points',
         'auto_points >= 0 AND manual_points >= 0 AND max_points >= 0'),
        ('percent_range', 'percent', 'percent >= 0 AND percent <= 100'),
    ],
    'answer': [('points_range', 'points', 'points >= 0')],
    'credit_award': [
        ('unit_count_range', 'unit_count', 'unit_count >= 1'),
        ('units_passed_range', 'units_passed', 'units_passed >= 0 AND units_passed <= unit_count'),
        ('grade_percent_range', 'grade_percent', 'grade_percent >= 0 AND grade_percent <= 100'),
        ('sep_grade_range', 'sep_grade', 'sep_grade >= 0 AND sep_grade <= 10'),
        ('credit_range', 'credit', 'credit >= 0 AND credit <= 20'),
    ],
    'prior_course': [
        ('year_range', 'year', 'year >= 1'),
        ('sep_grade_range', 'sep_grade', 'sep_grade >= 0 AND sep_grade <= 10'),
    ],
    'student': [('grade_level_range', 'grade_level', 'grade_level >= 1 AND grade_level <= 12')],
}

# Columns that become NUMERIC(6, 2): a value with more decimals would be rounded, so it is refused.
CREDIT_COLUMNS = [('course_version', 'credit'), ('credit_award', 'credit')]
EXACT = 'ABS({column} - ROUND(CAST({column} AS NUMERIC), 2)) < 0.000001'
SHOWN_IDS = 5


def _broken(bind, table: str, column: str, condition: str, rule: str) -> str | None:
    """A line describing the rows of `table` failing `condition`, or None when there are none."""
    where = f'NOT ({condition})'
    count = bind.execute(sa.text(f'SELECT COUNT(*) FROM {table} WHERE {where}')).scalar()
    if not count:
        return None
    ids = bind.execute(
        sa.text(f'SELECT id FROM {table} WHERE {where} ORDER BY id LIMIT {SHOWN_IDS}')
    ).scalars().all()
    more = ', ...' if count > len(ids) else ''
    return (f'{table}.{column}: {count} row(s) break {rule}; '
            f'ids {", ".join(str(i) for i in ids)}{more}')


def problems(bind) -> list[str]:
    """Every existing row the new checks and types would refuse, one line per broken rule."""
    found = []
    for table, checks in CHECKS.items():
        for name, column, condition in checks:
            found.append(_broken(bind, table, column, condition, f'ck_{table}_{name} ({condition})'))
    for table, column in CREDIT_COLUMNS:
        condition = EXACT.format(column=column)
        found.append(_broken(bind, table, column, condition, 'NUMERIC(6, 2) (at most 2 decimals)'))
    return [line for line in found if line]


def upgrade():
    found = problems(op.get_bind())
    if found:
        raise RuntimeError(
            'The database holds values the new checks refuse; correct these rows and upgrade '
            'again (nothing was changed):\n' + '\n'.join(found)
        )
    numeric = dict(CREDIT_COLUMNS)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table in numeric:
                batch_op.alter_column(numeric[table], existing_type=sa.Float(),
                                      type_=sa.Numeric(precision=6, scale=2),
                                      existing_nullable=False)
            for name, _column, condition in checks:
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), condition)


def downgrade():
    numeric = dict(CREDIT_COLUMNS)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _column, _condition in checks:
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
            if table in numeric:
                batch_op.alter_column(numeric[table], existing_type=sa.Numeric(precision=6, scale=2),
                                      type_=sa.Float(), existing_nullable=False)
