"""The Binational Migrant Student Transfer Document: a bilingual PDF made from the record."""

from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.certificates.facts import unit_sites
from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward, PriorCourse
from app.credits.rules import (
    CourseResult,
    mexican_level_for,
)
from app.credits.services import enrollment_result
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.labels import CREDIT_SYSTEM_LABELS, STATUS_LABELS, SUBJECT_LABELS
from app.pdf import render_pdf
from app.prior_courses.services import prior_courses, suggest_placement
from app.students.models import Student
from app.users.models import User

LANGUAGES = ("en", "es")
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Portrait",
    "margin-top": "12mm",
    "margin-bottom": "12mm",
    "margin-left": "12mm",
    "margin-right": "12mm",
    "no-outline": None,
}
# The Mexican level names are kept in Spanish in both languages (they are what the papers say).
LEVEL_LABELS = {
    "primaria": _l("primaria (elementary school), grade %(years)s"),
    "secundaria": _l("secundaria (lower secondary school), grade %(years)s"),
    "bachillerato": _l("bachillerato (upper secondary school), semesters %(years)s"),
}


@dataclass(frozen=True)
class CourseLine:
    """One Puente enrollment as the document states it."""

    version: CourseVersion
    status: str
    result: CourseResult
    award: CreditAward | None
    sites: list[dict]  # where the passed units were done, from certificates.facts.unit_sites


@dataclass(frozen=True)
class PriorLine:
    """A course from a Mexican school with its US equivalents."""

    course: PriorCourse
    percent: float
    letter: str
    us_grade: int | None


def _years(years: list[int]) -> str:
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def mexican_level_text(us_grade: int | None) -> str | None:
    """The Mexican equivalent of a US grade in the current language, e.g. "secundaria, grado 2"."""
    found = mexican_level_for(us_grade) if us_grade is not None else None
    if found is None:
        return None
    level, years = found
    label = LEVEL_LABELS.get(level)
    return str(label) % {"years": _years(years)} if label else f"{level} {_years(years)}"


def course_lines(student: Student) -> list[CourseLine]:
    """Every enrollment with its result now and its current credit award (no N+1 queries)."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .options(
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
        )
        .order_by(Enrollment.assigned_at, Enrollment.id)
    ).all()
    awards = db.session.scalars(
        select(CreditAward).where(
            CreditAward.enrollment_id.in_([e.id for e in enrollments]),
            CreditAward.superseded_at.is_(None),
        )
    ).all()
    by_enrollment = {a.enrollment_id: a for a in awards}
    return [
        CourseLine(
            e.course_version,
            e.status.value,
            enrollment_result(e),
            by_enrollment.get(e.id),
            unit_sites(e),
        )
        for e in enrollments
    ]


def prior_lines(student: Student) -> list[PriorLine]:
    """The student's Mexican courses with US percent, letter and grade (as placement suggests)."""
    lines = []
    for row in prior_courses(student):
        placement = suggest_placement(row.level, row.year, row.sep_grade)
        lines.append(PriorLine(row, placement.percent, placement.letter, placement.us_grade))
    return lines


def document_labels(language: str, student: Student, reference: str, issued_on: date) -> dict:
    """Every label and sentence of the document in one language."""
    with force_locale(language):
        grade = student.grade_level
        return {
            "title": _("Binational Migrant Student Transfer Document"),
            "purpose": _(
                "Schooling record for placing the student in the right grade and course "
                "in the United States or Mexico"
            ),
            "student": _("Student"),
            "given_names": _("Given names"),
            "family_names": _("Family names"),
            "birth_date": _("Date of birth"),
            "msix_id": _("MSIX ID"),
            "state_student_id": _("State student ID"),
            "kind": _("Student kind"),
            "school": _("School"),
            "site": _("Site"),
            "city": _("City"),
            "state": _("State (ISO 3166-2)"),
            "installation": _("Records system"),
            "issued_on": _("Date of issue"),
            "reference": _("Reference"),
            "grade_level": _("Grade level"),
            "us_grade_level": _("grade %(grade)s (United States)", grade=grade) if grade else "—",
            "mexican_equivalent": _("Mexican equivalent"),
            "mexican_level": mexican_level_text(grade) or "—",
            "courses": _("Subjects covered and evaluations"),
            "course": _("Course"),
            "subject": _("Subject"),
            "code": _("Code and version"),
            "units_passed": _("Units passed"),
            "us_percent": _("US percent"),
            "us_letter": _("US letter"),
            "sep": _("SEP grade (0–10)"),
            "credit": _("Credit awarded"),
            "status": _("Status"),
            "where": _("Units done at"),
            "partial": _("partial"),
            "full": _("full"),
            "none_yet": _("none yet"),
            "no_courses": _("No Puente course."),
            "prior": _("Prior courses in Mexican schools"),
            "level": _("Level and year or semester"),
            "school_year": _("School year"),
            "us_grade_placement": _("US grade level"),
            "no_prior": _("No prior course recorded."),
            "scale_note": _(
                "Grades in both scales by Puente's conversion table: US percent and "
                "letter, SEP 0–10 (pass ≥ 6; failing grades are reported as 5)."
            ),
            "coordinator": _("Issuing coordinator"),
            "signature": _("Name and signature"),
            "seal": _("School seal"),
            "prepared_by": _("Prepared by"),
            "verification": _("Verification"),
            "note": _(
                "This document was produced by %(installation)s from the student's record "
                "on %(date)s, reference %(reference)s. It is valid with the issuing "
                "coordinator's signature and the school's seal. To confirm it, contact the "
                "issuing site, which keeps a record of every document it issues; the signed "
                "transfer package holds the same record in electronic form.",
                installation=current_app.config["INSTALLATION_NAME"],
                date=issued_on.isoformat(),
                reference=reference,
            ),
            "statuses": {key: str(label) for key, label in STATUS_LABELS.items()},
            "subjects": {key: str(label) for key, label in SUBJECT_LABELS.items()},
            "credit_systems": {key: str(label) for key, label in CREDIT_SYSTEM_LABELS.items()},
        }


def issue_transfer_document(student: Student, user: User) -> bytes:
    """The student's transfer document as a PDF; its issue is written to the audit trail."""
    courses, prior = course_lines(student), prior_lines(student)
    event = record_event(
        user,
        "transfer.document",
        student,
        student_id=student.id,
        courses=len(courses),
        prior_courses=len(prior),
    )
    db.session.flush()
    reference, issued_on = f"TD-{event.id}", utcnow().date()
    labels = {lang: document_labels(lang, student, reference, issued_on) for lang in LANGUAGES}
    html = render_template(
        "records/transfer_document.html",
        student=student,
        site=student.site,
        courses=courses,
        prior=prior,
        t=labels,
        reference=reference,
        issued_on=issued_on,
        prepared_by=user,
    )
    return render_pdf(html, PDF_OPTIONS)
