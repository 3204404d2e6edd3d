"""Staff pages: the student list, a student's record, adding a student."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from app.common import paginate
from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.enrollments.forms import WithdrawForm
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.permissions import (
    can_award_credit,
    get_student_or_404,
    staff_required,
    visible_sites,
)
from app.students.forms import StudentForm
from app.students.services import (
    StudentError,
    add_student,
    filter_students,
    possible_duplicates,
    progress_summary,
    unit_modes,
)

bp = Blueprint("students", __name__, url_prefix="/students")


@bp.route("/")
@staff_required
def index():
    pagination = paginate(filter_students(current_user, request.args))
    summary = progress_summary([s.id for s in pagination.items])
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    return render_template(
        "students/index.html", pagination=pagination, summary=summary,
        sites=visible_sites(current_user), courses=courses,
    )  # fmt: skip


@bp.route("/<int:student_id>")
@staff_required
def detail(student_id: int):
    student = get_student_or_404(student_id)
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .options(
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
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
    modes = unit_modes([u.id for e in enrollments for u in e.units])
    return render_template(
        "students/detail.html", student=student, enrollments=enrollments, modes=modes,
        awards={a.enrollment_id: a for a in awards}, action_form=FlaskForm(),
        withdraw_form=WithdrawForm(), can_award=can_award_credit(current_user, student),
        duplicates=possible_duplicates(current_user, student),
    )  # fmt: skip


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = StudentForm()
    form.site_id.choices = [SelectChoice(s.id, s.name) for s in visible_sites(current_user)]
    if form.validate_on_submit():
        data = dict(form.data)
        if data.get("email") and not data.get("password"):
            form.password.errors.append(_("A sign-in needs a password of at least 8 characters."))
        else:
            try:
                student = add_student(current_user, data)
            except StudentError as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                flash(_("%(name)s was added.", name=student.full_name), "success")
                return redirect(url_for("students.detail", student_id=student.id))
    status = 400 if request.method == "POST" else 200
    return render_template("students/new.html", form=form), status
