"""Family pages: a guardian reads each linked child's courses, progress, grades and
certificates (read-only); staff of the child's site invite and unlink guardians."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.mail import MailError, send_sign_in_mail
from app.auth.models import TokenPurpose
from app.certificates.models import Certificate
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, UnitProgress, UnitStatus
from app.errors import DomainError, on_refusal
from app.extensions import db
from app.guardians.forms import GUARDIAN_PREFIX, GuardianForm, UnlinkForm
from app.guardians.models import GuardianLink
from app.guardians.services import children_of, link_guardian, unlink_guardian
from app.pages.students import student_page
from app.permissions import (
    can_follow_student,
    can_manage_guardians,
    get_student_or_404,
    guardian_required,
    staff_required,
)
from app.students.models import Student

bp = Blueprint("family", __name__, url_prefix="/family")


@bp.route("/")
@guardian_required
def index():
    return render_template("family/index.html", children=children_of(current_user))


def _child_or_404(student_id: int) -> Student:
    student = db.session.get(Student, student_id) or abort(404)
    if not can_follow_student(current_user, student):
        abort(404)  # a guardian learns nothing of students who are not theirs
    return student


@bp.route("/students/<int:student_id>")
@guardian_required
def student(student_id: int):
    child = _child_or_404(student_id)
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == child.id)
        .options(
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.unit),
        )
        .order_by(Enrollment.assigned_at.desc())
    ).all()
    awards = db.session.scalars(
        select(CreditAward).where(
            CreditAward.enrollment_id.in_([e.id for e in enrollments]),
            CreditAward.superseded_at.is_(None),
        )
    ).all()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.student_id == child.id)
        .order_by(Certificate.issued_at.desc())
    ).all()
    passed = {e.id: sum(1 for u in e.units if u.status == UnitStatus.PASSED) for e in enrollments}
    return render_template(
        "family/student.html",
        child=child,
        enrollments=enrollments,
        passed=passed,
        awards={a.enrollment_id: a for a in awards},
        certificates=certificates,
    )


def _managed_student(student_id: int) -> Student:
    student = get_student_or_404(student_id)
    if not can_manage_guardians(current_user, student):
        abort(403)
    return student


@bp.route("/students/<int:student_id>/guardians", methods=["POST"])
@staff_required
def invite(student_id: int):
    student = _managed_student(student_id)
    form = GuardianForm(prefix=GUARDIAN_PREFIX)
    if not form.validate_on_submit():
        return student_page(student, guardian_form=form, status=400)
    on_refusal(lambda _error: student_page(student, guardian_form=form))
    link, code = link_guardian(
        student,
        current_user,
        form.email.data,
        form.given_name.data,
        form.family_name.data,
        form.relation.data,
        form.locale.data,
    )
    if code is not None:
        days = current_app.config["INVITE_DAYS"]
        try:
            send_sign_in_mail(link.guardian, code, TokenPurpose.INVITE, days * 24)
        except MailError:
            message = _(
                "The mail server could not be reached, so nothing was sent. Try again later."
            )
            raise DomainError(message, 503) from None
        flash(
            _("%(email)s is invited and linked to this student.", email=link.guardian.email),
            "success",
        )
    else:
        flash(_("%(email)s is now linked to this student.", email=link.guardian.email), "success")
    return redirect(url_for("students.detail", student_id=student.id, _anchor="guardians"), 303)


@bp.route("/links/<int:link_id>/remove", methods=["POST"])
@staff_required
def unlink(link_id: int):
    link = db.session.get(GuardianLink, link_id) or abort(404)
    student = _managed_student(link.student_id)
    form = UnlinkForm()
    if not form.validate_on_submit() or form.link.data != str(link.id):
        abort(400)
    email = link.guardian.email
    unlink_guardian(link, current_user)
    flash(_("%(email)s no longer sees this student.", email=email), "success")
    return redirect(url_for("students.detail", student_id=student.id, _anchor="guardians"), 303)
