"""The unofficial grade report: a student's progress in every course now, for the teacher, the
student and the family. Unsigned and marked unofficial on every page: the official record is
the transcript and the certificates."""

from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.services import enrollment_result
from app.enrollments.models import Enrollment
from app.extensions import db
from app.pdf import LOCKED_DOWN, render_pdf

PDF_OPTIONS = {
    "page-size": "Letter",
    "margin-top": "12mm",
    "margin-bottom": "12mm",
    "margin-left": "12mm",
    "margin-right": "12mm",
    **LOCKED_DOWN,
}


def grade_report(student) -> dict:
    """Plain data: every course of the student with each unit's state and the result so far."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .options(
            selectinload(Enrollment.units),
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
        )
        .order_by(Enrollment.assigned_at, Enrollment.id)
    ).all()
    courses = []
    for enrollment in enrollments:
        version = enrollment.course_version
        courses.append(
            {
                "code": version.course.code,
                "title_en": version.title_en,
                "title_es": version.title_es,
                "status": enrollment.status.value,
                "units": [
                    {
                        "number": u.unit_number,
                        "status": u.status.value,
                        "best": u.best_test_percent,
                    }
                    for u in sorted(enrollment.units, key=lambda u: u.unit_number)
                ],
                "result": enrollment_result(enrollment),
            }
        )
    return {
        "student": f"{student.given_name} {student.family_name}",
        "site": student.site.name,
        "state_code": student.site.state_code,
        "as_of": utcnow(),
        "courses": courses,
    }


def grade_report_pdf(report: dict) -> bytes:
    """The report as a PDF: the English pages, then the Spanish ones, each marked unofficial."""
    parts = []
    for language in ("en", "es"):
        with force_locale(language):
            parts.append(
                Markup(
                    render_template(
                        "credits/_grade_report_body.html", report=report, language=language
                    )
                )
            )
    html = render_template("credits/grade_report_document.html", parts=parts)
    return render_pdf(html, PDF_OPTIONS)
