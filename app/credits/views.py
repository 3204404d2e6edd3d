"""Coordinators' credit pages: enrollments ready for credit, a course result, the award; and
the unofficial grade report (student, staff in scope)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.certificates.services import enrollment_certificates
from app.common import paginate
from app.courses.models import Course, CourseVersion
from app.credits.forms import AwardCreditForm
from app.credits.grade_report import grade_report, grade_report_pdf
from app.credits.rules import credit_text, grade_levels, grade_scale, unit_passed
from app.credits.services import (
    award_credit,
    award_history,
    award_matches,
    enrollment_result,
    enrollment_rules,
    ready_for_credit,
)
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import on_refusal
from app.extensions import db
from app.permissions import (
    can_award_credit,
    can_view_grade_report,
    coordinator_required,
    student_required,
    visible_sites,
)
from app.prior_courses.services import PlacementError, suggest_placement
from app.students.models import Student

bp = Blueprint("credits", __name__, url_prefix="/credits")


@bp.route("/")
@coordinator_required
def index():
    pagination = paginate(ready_for_credit(current_user, request.args))
    results = {e.id: enrollment_result(e) for e in pagination.items}
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    return render_template(
        "credits/index.html",
        pagination=pagination,
        results=results,
        courses=courses,
        sites=visible_sites(current_user),
    )


def _awardable_enrollment(enrollment_id: int) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(Enrollment.id == enrollment_id)
        .options(
            selectinload(Enrollment.student).selectinload(Student.site),
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.unit),
            selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
        )
    ) or abort(404)
    if not can_award_credit(current_user, enrollment.student):
        abort(403)
    return enrollment


def _render_enrollment(enrollment: Enrollment, status: int = 200):
    result = enrollment_result(enrollment)
    awards = award_history(enrollment)
    current = next((a for a in awards if a.superseded_at is None), None)
    rules = enrollment_rules(enrollment)
    units = [(u, unit_passed(u.best_test_percent, rules)) for u in enrollment.units]
    certificates = enrollment_certificates(enrollment)
    certified = {c.credit_award_id for c in certificates if c.revoked_at is None}
    return render_template(
        "credits/enrollment.html",
        enrollment=enrollment,
        result=result,
        units=units,
        rules=rules,
        awards=awards,
        form=AwardCreditForm(),
        certificates=certificates,
        to_certify=current
        if current and current.id not in certified and not current.imported_from
        else None,
        reissue=current is not None and any(c.credit_award_id == current.id for c in certificates),
        already_awarded=award_matches(current, result, enrollment.student.site.state_code),
    ), status


@bp.route("/enrollments/<int:enrollment_id>")
@coordinator_required
def enrollment(enrollment_id: int):
    return _render_enrollment(_awardable_enrollment(enrollment_id))


@bp.route("/enrollments/<int:enrollment_id>/award", methods=["POST"])
@coordinator_required
def award(enrollment_id: int):
    enrollment = _awardable_enrollment(enrollment_id)
    if not AwardCreditForm().validate_on_submit():
        abort(400)
    on_refusal(
        lambda _error: _render_enrollment(_awardable_enrollment(enrollment_id)),
        conflict=_("Another coordinator awarded this credit at the same moment."),
    )
    award = award_credit(enrollment, current_user)
    kind = _("partial credit") if award.is_partial else _("full credit")
    flash(
        _("Credit awarded: %(credit)s (%(kind)s).", credit=credit_text(award.credit), kind=kind),
        "success",
    )
    return redirect(url_for(".enrollment", enrollment_id=enrollment.id))


@bp.route("/conversions")
def conversions():
    """The grade-scale and grade-level tables, and a placement suggestion for a Mexican course."""
    suggestion = error = None
    if request.args:
        try:
            suggestion = suggest_placement(
                request.args.get("level", ""),
                request.args.get("year", type=int),
                request.args.get("sep", type=float),
            )
        except PlacementError as problem:
            error = str(problem)
    bands = grade_scale()
    return render_template(
        "credits/conversions.html",
        bands=bands,
        levels=grade_levels(),
        suggestion=suggestion,
        error=error,
    ), (400 if error else 200)


def _reportable_student(student_id: int) -> Student:
    student = db.session.get(Student, student_id) or abort(404)
    if not can_view_grade_report(current_user, student):
        abort(403)
    return student


@bp.route("/students/<int:student_id>/grade-report")
@login_required
def grade_report_page(student_id: int):
    student = _reportable_student(student_id)
    return render_template(
        "credits/grade_report.html", report=grade_report(student), student=student
    )


@bp.route("/students/<int:student_id>/grade-report.pdf")
@login_required
def grade_report_download(student_id: int):
    student = _reportable_student(student_id)
    return Response(
        grade_report_pdf(grade_report(student)),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="grade-report-unofficial-{student.id}.pdf"'
        },
    )


@bp.route("/my-grade-report")
@student_required
def my_grade_report():
    student = db.session.scalar(select(Student).where(Student.user_id == current_user.id))
    if student is None:
        abort(404)
    return redirect(url_for(".grade_report_page", student_id=student.id))
