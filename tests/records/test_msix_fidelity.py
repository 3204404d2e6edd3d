"""The MSIX-style course history keeps both surnames apart, sex, the state ID's type, the section,
and MSIX's codes beside Puente's labels (app/records/msix.py)."""

from sqlalchemy import select

from app.enrollments.models import Enrollment
from app.extensions import db
from app.records.history import COLUMNS, course_history_rows
from app.records.msix import course_section
from tests import factories


def rows_of(student) -> dict[str, dict]:
    enrollments = list(
        db.session.scalars(select(Enrollment).where(Enrollment.student_id == student.id))
    )
    return {
        r[COLUMNS.index("course_code")]: dict(zip(COLUMNS, r, strict=True))
        for r in course_history_rows(enrollments)
    }


def test_both_surnames_sex_id_type_section_and_msix_codes(world):
    student = factories.make_student(
        world["tx1"],
        given_name="Ana",
        family_name="García",
        second_family_name="López",
        sex="F",
        state_student_id="TX-9",
    )
    for code in ("ALG1A", "ALG1B"):
        factories.make_enrollment(
            student, factories.make_course_version(code), world["teacher_tx1"]
        )
    rows = rows_of(student)
    first = rows["ALG1A"]
    assert (first["family_name"], first["last_name_1"], first["last_name_2"]) == (
        "García López",
        "García",
        "López",
    )
    assert (first["sex"], first["state_student_id_type"]) == ("F", "State Student ID (US-TX)")
    assert (first["course_section"], rows["ALG1B"]["course_section"]) == ("A", "B")
    assert (first["course_type"], first["msix_course_type"]) == ("pass_semester_course", "Regular")
    assert (first["completion_status"], first["msix_completion_status"]) == (
        "in_progress",
        "In Progress",
    )
    assert first["msix_term_type"] in {"Semester", "Summer"}


def test_the_section_is_the_half_a_course_code_names():
    assert course_section("ENG9") == "" and course_section("his2b") == "B"
