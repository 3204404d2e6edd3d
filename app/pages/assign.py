"""Assigning courses: the student list (with its learning filters) and the course choice."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.common import paginate
from app.courses.models import Course, CourseVersion
from app.courses.services import current_versions
from app.enrollments.forms import AssignForm
from app.enrollments.services import assign_course_to_many
from app.enrollments.views import bp
from app.errors import on_refusal
from app.extensions import db
from app.learning.student_list import filter_students
from app.permissions import staff_required, student_scope, visible_sites
from app.students.models import Student


def _course_choices() -> list[SelectChoice]:
    versions = db.session.scalars(current_versions()).all()
    return [
        SelectChoice(v.id, f"{v.text('title', _locale())} ({v.course.code} {v.version})")
        for v in versions
    ]


def _locale() -> str:
    from flask import g

    return getattr(g, "locale", "en")


@bp.route("/assign", methods=["GET", "POST"])
@staff_required
def assign():
    form = AssignForm()
    form.course_version_id.choices = _course_choices()
    stmt = filter_students(current_user, request.args)
    preset = request.args.get("student_id", type=int)
    if preset:
        stmt = stmt.where(Student.id == preset)
    pagination = paginate(stmt, per_page=50)
    # Any student in scope may be posted (not only this page's): the scope check is below.
    if request.method == "POST":
        form.student_ids.choices = [
            SelectChoice(i) for i in request.form.getlist("student_ids", type=int)
        ]
    else:
        form.student_ids.choices = [SelectChoice(s.id) for s in pagination.items]
        if preset:
            form.student_ids.data = [preset]
    if form.validate_on_submit():
        version = db.session.get(CourseVersion, form.course_version_id.data) or abort(404)
        students = db.session.scalars(
            select(Student).where(
                Student.id.in_(form.student_ids.data), student_scope(current_user)
            )
        ).all()
        if len(students) != len(set(form.student_ids.data)):
            form.student_ids.errors.append(_("Choose only your own students."))
        else:
            on_refusal(lambda _error: _render_assign(form, pagination, preset))
            created, skipped = assign_course_to_many(
                students, version, current_user, form.target_date.data
            )
            _flash_result(created, skipped)
            if len(students) == 1:
                return redirect(url_for("students.detail", student_id=students[0].id))
            return redirect(url_for("students.index"))
    if request.method == "POST":
        flash(_("Please correct the errors below."), "error")
    return _render_assign(form, pagination, preset, 400 if request.method == "POST" else 200)


def _render_assign(form: AssignForm, pagination, preset: int | None, status: int = 200):
    return render_template(
        "enrollments/assign.html",
        form=form,
        pagination=pagination,
        preset=preset,
        sites=visible_sites(current_user),
        courses=db.session.scalars(select(Course).order_by(Course.code)).all(),
    ), status


def _flash_result(created: list, skipped: list[Student]) -> None:
    """One message: how many were assigned and how many already had the course."""
    if skipped:
        flash(
            ngettext(
                "Assigned to %(num)d student; %(skipped)d already had this course.",
                "Assigned to %(num)d students; %(skipped)d already had this course.",
                len(created),
                skipped=len(skipped),
            ),
            "success",
        )
        flash(
            _(
                "Already taking this course: %(names)s.",
                names=", ".join(s.full_name for s in skipped),
            ),
            "warning",
        )
    else:
        flash(
            ngettext("Assigned to %(num)d student.", "Assigned to %(num)d students.", len(created)),
            "success",
        )
