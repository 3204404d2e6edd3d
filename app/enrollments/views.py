"""Withdraw an enrollment (assigning courses is a page that combines areas: app/pages/assign.py)."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.enrollments.forms import WithdrawForm
from app.enrollments.models import Enrollment
from app.enrollments.services import EnrollmentError, withdraw_enrollment
from app.errors import on_refusal
from app.extensions import db
from app.permissions import can_manage_student, staff_required

bp = Blueprint("enrollments", __name__, url_prefix="/enrollments")


@bp.route("/<int:enrollment_id>/withdraw", methods=["POST"])
@staff_required
def withdraw(enrollment_id: int):
    enrollment = db.session.get(Enrollment, enrollment_id) or abort(404)
    if not can_manage_student(current_user, enrollment.student):
        abort(403)
    form = WithdrawForm()
    on_refusal(redirect_to=url_for("students.detail", student_id=enrollment.student_id))
    if not form.validate_on_submit():
        raise EnrollmentError(_("Say why the enrollment is withdrawn."))
    withdraw_enrollment(enrollment, current_user, form.reason.data)
    flash(_("The enrollment is withdrawn."), "success")
    return redirect(url_for("students.detail", student_id=enrollment.student_id))
