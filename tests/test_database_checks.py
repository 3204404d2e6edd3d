"""The database itself refuses out-of-range scores, counts and credit, whoever writes them."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.credits.models import PriorCourse
from app.credits.services import award_credit
from app.learning.models import Answer, Attempt
from tests import factories

# (table, column, a value the check refuses, a value at the edge it accepts)
CASES = [
    ("course_version", "credit", 2.01, 2),
    ("course_version", "credit", 0, 0.01),
    ("course_version", "unit_count", 0, 1),
    ("unit", "number", 0, 1),
    ("item", "points", 0, 0.5),
    ("unit_progress", "best_test_percent", 100.5, 100),
    ("unit_progress", "work_percent", -1, 0),
    ("unit_progress", "test_attempts", -1, 0),
    ("attempt", "percent", 101, 100),
    ("attempt", "manual_points", -0.5, 0),
    ("answer", "points", -1, 0),
    ("credit_award", "credit", 20.5, 20),
    ("credit_award", "credit", -0.01, 0),
    ("credit_award", "grade_percent", 100.1, 100),
    ("credit_award", "sep_grade", 10.5, 10),
    ("credit_award", "units_passed", 6, 5),
    ("credit_award", "unit_count", 0, 5),
    ("prior_course", "sep_grade", 11, 10),
    ("prior_course", "year", 0, 1),
    ("student", "grade_level", 13, 12),
]


@pytest.fixture
def rows(world, session):
    """One row of every checked table: {table: id}."""
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    factories.pass_unit(enrollment.units[0])
    award = award_credit(enrollment, world["coord_tx"])
    prior = PriorCourse(
        student_id=world["student_tx1"].id,
        subject="Matemáticas",
        level="secundaria",
        year=1,
        sep_grade=8,
        entered_by_id=world["coord_tx"].id,
    )
    session.add(prior)
    session.flush()
    progress = enrollment.units[0]
    attempt = session.query(Attempt).filter_by(unit_progress_id=progress.id).first()
    return {
        "course_version": world["course"].id,
        "unit": progress.unit_id,
        "item": progress.unit.items[0].id,
        "unit_progress": progress.id,
        "attempt": attempt.id,
        "answer": session.query(Answer).filter_by(attempt_id=attempt.id).first().id,
        "credit_award": award.id,
        "prior_course": prior.id,
        "student": world["student_tx1"].id,
    }


def _set(session, table: str, column: str, value, row_id: int) -> None:
    with session.begin_nested():
        session.execute(
            text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
            {"value": value, "id": row_id},
        )


@pytest.mark.parametrize(("table", "column", "refused", "accepted"), CASES)
def test_the_database_refuses_an_out_of_range_value(
    rows, session, table, column, refused, accepted
):
    with pytest.raises(IntegrityError) as refusal:
        _set(session, table, column, refused, rows[table])
    assert f"ck_{table}_" in str(refusal.value)
    _set(session, table, column, accepted, rows[table])
    stored = session.execute(
        text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": rows[table]}
    ).scalar()
    assert float(stored) == accepted
