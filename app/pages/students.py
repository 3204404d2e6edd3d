"""The student pages that combine areas: the list (progress, courses) and a student's record
(enrollments, credit, moves, prior courses, sign-in), assembled from plain data."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.auth.mail import MailError, send_sign_in_mail
from app.auth.models import TokenPurpose
from app.common import paginate_keys
from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.enrollments.forms import WithdrawForm
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import DomainError, on_refusal
from app.extensions import db
from app.grading.gradebook import test_attempt_links
from app.guardians.forms import GUARDIAN_PREFIX, GuardianForm
from app.guardians.services import guardians_of
from app.learning.access import can_approve_test
from app.learning.approvals import approval_states
from app.learning.student_list import (
    load_students,
    progress_summary,
    student_list_keys,
    unit_modes,
)
from app.page_cache.pages import cached_page
from app.pages.moves import student_moves_panel
from app.permissions import (
    can_award_credit,
    get_student_or_404,
    scope_site_ids,
    staff_required,
    visible_sites,
)
from app.prior_courses.views import prior_courses_panel
from app.students.accounts import invite_by_email
from app.students.forms import InviteForm
from app.students.services import possible_duplicates
from app.students.views import bp


@bp.route("/")
@staff_required
def index():
    return cached_page(scope_site_ids(current_user), _index)


def _index():
    pagination = paginate_keys(student_list_keys(current_user, request.args), load_students)
    summary = progress_summary([s.id for s in pagination.items])
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    return render_template(
        "students/index.html",
        pagination=pagination,
        summary=summary,
        sites=visible_sites(current_user),
        courses=courses,
    )


@bp.route("/<int:student_id>")
@staff_required
def detail(student_id: int):
    student = get_student_or_404(student_id)
    # Possible duplicates come from anywhere in the viewer's scope, not only the student's site.
    scope = scope_site_ids(current_user)
    sites = None if scope is None else sorted({student.site_id, *scope})
    return cached_page(sites, lambda: student_page(student))


def student_page(student, invite_form=None, status: int = 200, guardian_form=None):
    """The staff record page of `student` (again with a refused form's errors)."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .options(
            joinedload(Enrollment.course_version).joinedload(CourseVersion.course),
            selectinload(Enrollment.units).options(
                joinedload(UnitProgress.completed_site), joinedload(UnitProgress.unit)
            ),
        )
        .order_by(Enrollment.assigned_at.desc())
    ).all()
    awards = db.session.scalars(
        select(CreditAward).where(
            CreditAward.enrollment_id.in_([e.id for e in enrollments]),
            CreditAward.superseded_at.is_(None),
        )
    ).all()
    units = [u for e in enrollments for u in e.units]
    modes = unit_modes([u.id for u in units])
    return render_template(
        "students/detail.html",
        student=student,
        enrollments=enrollments,
        modes=modes,
        test_links=test_attempt_links([u.id for u in units]),
        approvals=approval_states(units),
        awards={a.enrollment_id: a for a in awards},
        action_form=FlaskForm(),
        withdraw_form=WithdrawForm(),
        can_award=can_award_credit(current_user, student),
        duplicates=possible_duplicates(current_user, student),
        moves_panel=student_moves_panel(student),
        prior_panel=prior_courses_panel(student),
        approvable={
            u.id for e in enrollments for u in e.units if can_approve_test(current_user, u)
        },
        invite_form=invite_form or InviteForm(email=student.user.email if student.user else None),
        guardians=guardians_of(student),
        guardian_form=guardian_form or GuardianForm(prefix=GUARDIAN_PREFIX),
    ), status


@bp.route("/<int:student_id>/invite", methods=["POST"])
@staff_required
def invite(student_id: int):
    student = get_student_or_404(student_id, manage=True)
    form = InviteForm()
    if not form.validate_on_submit():
        return student_page(student, invite_form=form, status=400)
    on_refusal(lambda _error: student_page(student, invite_form=form))
    user, code = invite_by_email(student, current_user, form.email.data)
    days = current_app.config["INVITE_DAYS"]
    try:
        send_sign_in_mail(user, code, TokenPurpose.INVITE, days * 24)
    except MailError:
        message = _(
            "The mail server could not be reached, so nothing was sent. Try again later, or "
            "print a sign-in sheet."
        )
        raise DomainError(message, 503) from None
    flash(
        _(
            "A sign-in link was sent to %(email)s. It works once, for %(days)s days.",
            email=user.email,
            days=days,
        ),
        "success",
    )
    return redirect(url_for("students.detail", student_id=student.id))
