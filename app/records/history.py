"""Course history as MSIX-style CSV: one row per enrollment, built in batches."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.certificates.facts import term_of
from app.common import to_int
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.credits.rules import Rules, earned_hours, rules_for, state_credit
from app.credits.services import enrollment_result, enrollment_rules
from app.csv_cells import safe_row
from app.enrollments.models import Enrollment, EnrollmentStatus
from app.extensions import db
from app.learning.student_list import filter_students
from app.records import msix
from app.students.models import Student
from app.users.models import User

# Stable machine names, in this order (README: "Course history export").
COLUMNS = (
    "puente_student_id",
    "msix_id",
    "state_student_id",
    "curp",
    "family_name",
    "given_name",
    "birth_date",
    "student_kind",
    "grade_level",
    "school_name",
    "school_code",
    "school_state",
    "course_code",
    "course_version",
    "course_title_en",
    "course_title_es",
    "subject_area",
    "course_type",
    "term",
    "school_year",
    # MSIX fidelity (app/records/msix.py): surnames apart, sex, the state ID's type, the section,
    # and MSIX's codes beside Puente's labels.
    "last_name_1",
    "last_name_2",
    "sex",
    "state_student_id_type",
    "course_section",
    "msix_course_type",
    "msix_term_type",
    "msix_completion_status",
    "grade_to_date_percent",
    "grade_to_date_letter",
    "grade_to_date_sep",
    "final_grade_percent",
    "final_grade_letter",
    "final_grade_sep",
    "units_passed",
    "unit_count",
    "clock_hours",
    "credits_attempted",
    "credits_granted",
    "credit_system",
    "completion_status",
    "assigned_date",
    "start_date",
    "completion_date",
    "credit_award_date",
)

BATCH_SIZE = 1000
STATUSES = {s.value for s in EnrollmentStatus}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class HistoryError(ValueError):
    """The export's filters are not valid; the message says which and why."""


def _enrollment_options():
    return (
        selectinload(Enrollment.student).selectinload(Student.site),
        selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
        selectinload(Enrollment.units),
    )


def student_enrollments(student: Student) -> list[Enrollment]:
    """The student's enrollments, oldest first, loaded for `course_history_rows`."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.student_id == student.id)
            .options(*_enrollment_options())
            .order_by(Enrollment.id)
        )
    )


def course_history_rows(enrollments: list[Enrollment]) -> list[list[str]]:
    """One CSV row (COLUMNS order) per enrollment; current awards are loaded in one query."""
    ids = [e.id for e in enrollments]
    awards = (
        {
            a.enrollment_id: a
            for a in db.session.scalars(
                select(CreditAward)
                .where(CreditAward.enrollment_id.in_(ids), CreditAward.superseded_at.is_(None))
                .options(selectinload(CreditAward.site))
            )
        }
        if ids
        else {}
    )
    return [_row(e, awards.get(e.id)) for e in enrollments]


def _row(enrollment: Enrollment, award: CreditAward | None) -> list[str]:
    student, version = enrollment.student, enrollment.course_version
    result = enrollment_result(enrollment)
    rules = rules_for(award.state_code) if award else enrollment_rules(enrollment)
    status = completion_status(enrollment, award, result.units_passed, result.is_passed)
    school = award.site if award else student.site
    final_full = award is not None and not award.is_partial
    when = (award.awarded_at if award else None) or enrollment.completed_at
    when = when or enrollment.started_at or enrollment.assigned_at
    to_date = (
        (None, None, None)
        if final_full
        else (result.grade_percent, result.letter, result.sep_grade)
    )
    final = (award.grade_percent, award.letter, award.sep_grade) if award else (None, None, None)
    surnames = " ".join(n for n in (student.family_name, student.second_family_name) if n)
    kind, season = course_type(version, status), term_of(when)["season"]
    values = [
        student.id,
        student.msix_id,
        student.state_student_id,
        student.curp,
        _text(surnames),
        _text(student.given_name),
        _day(student.birth_date),
        student.kind.value,
        student.grade_level,
        _text(school.name),
        school.code.split("@")[0],
        school.state_code,
        version.course.code,
        version.version,
        _text(version.title_en),
        _text(version.title_es),
        version.subject,
        kind,
        season,
        school_year(when),
        _text(student.family_name),
        _text(student.second_family_name),
        msix.SEX.get(student.sex or ""),
        msix.state_id_type(student.state_student_id, student.site.state_code),
        msix.course_section(version.course.code),
        msix.COURSE_TYPE.get(kind, ""),
        msix.TERM_TYPE.get(season, ""),
        msix.COMPLETION_STATUS.get(status, ""),
        _tenth(to_date[0]),
        to_date[1],
        _tenth(to_date[2]),
        _tenth(final[0]),
        final[1],
        _tenth(final[2]),
        result.units_passed,
        result.unit_count,
        earned_hours(version.hours, result.units_passed, result.unit_count),
        _number(full_credit(version, rules)),
        _number(award.credit if award else 0),
        award.credit_system if award else rules.credit_system,
        status,
        _day(enrollment.assigned_at),
        _day(enrollment.started_at),
        _day(enrollment.completed_at),
        _day(award.awarded_at if award else None),
    ]
    return ["" if v is None else str(v) for v in values]


def completion_status(
    enrollment: Enrollment, award: CreditAward | None, units_passed: int, is_passed: bool
) -> str:
    """completed, partial (partial credit awarded, or finished with only some units passed),
    withdrawn or in_progress."""
    if award is not None and not award.is_partial:
        return "completed"
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return "partial" if units_passed and not is_passed else "completed"
    if award is not None:
        return "partial"
    if enrollment.status == EnrollmentStatus.WITHDRAWN:
        return "withdrawn"
    return "in_progress"


def course_type(version: CourseVersion, status: str) -> str:
    """pass_semester_course or pass_year_course, with _partial for partial credit."""
    kind = "pass_semester_course" if version.credit <= 0.5 else "pass_year_course"
    return f"{kind}_partial" if status == "partial" else kind


def full_credit(version: CourseVersion, rules: Rules) -> Decimal:
    """The whole course's credit in a state's credit system (e.g. 0.5 Carnegie, 5 in California)."""
    return state_credit(version.credit, rules)


def school_year(day: datetime) -> str:
    """The school year a date falls in, August to July: 2025-09-03 -> 2025-2026."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{start + 1}"


def _day(value) -> str | None:
    return value.isoformat()[:10] if value else None


def _tenth(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _number(value: float) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _text(value: str) -> str:
    # A cell starting like a formula is quoted so a spreadsheet shows it as text (CSV injection).
    return "'" + value if value and value.startswith(_FORMULA_START) else value


def parse_filters(args) -> dict:
    """The export's own filters (the student-list filters are read by filter_students).

    :raises HistoryError: when `status` is not an enrollment status.
    """
    status = (args.get("status") or "").strip()
    if status and status not in STATUSES:
        raise HistoryError(
            _(
                "Unknown status “%(status)s”: use active, completed or withdrawn.",
                status=status,
            )
        )
    return {"status": status or None}


def _where(user: User, args) -> ColumnElement[bool]:
    """Enrollments of the students `user` may see that match the list's filters and `status`."""
    students = filter_students(user, args).order_by(None).with_only_columns(Student.id)
    clauses = [Enrollment.student_id.in_(students)]
    status = parse_filters(args)["status"]
    if status:
        clauses.append(Enrollment.status == EnrollmentStatus(status))
    course_id = to_int(args.get("course"))
    if course_id:
        versions = select(CourseVersion.id).where(CourseVersion.course_id == course_id)
        clauses.append(Enrollment.course_version_id.in_(versions))
    return and_(*clauses)


def history_counts(user: User, args) -> tuple[int, int]:
    """(students, enrollments) the export of `user` with `args` will hold."""
    students, enrollments = db.session.execute(
        select(func.count(func.distinct(Enrollment.student_id)), func.count(Enrollment.id)).where(
            _where(user, args)
        )
    ).one()
    return students, enrollments


def iter_course_history(user: User, args, batch_size: int = BATCH_SIZE) -> Iterator[list[list]]:
    """Batches of rows for every enrollment in `user`'s scope matching `args`, by student.

    The query is built now (the export job reads the batches across its own commits);
    keyset pagination on (student id, enrollment id) makes each batch one query plus a fixed
    number of eager loads, and only one batch is held in memory.
    """
    return _batches(_where(user, args), batch_size)


def _batches(where: ColumnElement[bool], batch_size: int) -> Iterator[list[list]]:
    last_student, last_enrollment = 0, 0
    while True:
        batch = list(
            db.session.scalars(
                select(Enrollment)
                .where(
                    where,
                    or_(
                        Enrollment.student_id > last_student,
                        and_(
                            Enrollment.student_id == last_student, Enrollment.id > last_enrollment
                        ),
                    ),
                )
                .options(*_enrollment_options())
                .order_by(Enrollment.student_id, Enrollment.id)
                .limit(batch_size)
            )
        )
        if not batch:
            return
        last_student, last_enrollment = batch[-1].student_id, batch[-1].id
        yield course_history_rows(batch)
        if len(batch) < batch_size:
            return


def csv_text(batches: Iterable[list[list[str]]]) -> Iterator[str]:
    """RFC 4180 CSV (CRLF), a UTF-8 byte-order mark first so spreadsheets read accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for rows in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(safe_row(row) for row in rows)  # every cell, not only the names
        yield buffer.getvalue()
