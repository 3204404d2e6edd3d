"""Prior Mexican courses on a student's record: list with suggested placement, add, delete."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common import to_int
from app.credits.models import PriorCourse
from app.errors import on_refusal
from app.extensions import db
from app.permissions import can_award_credit, get_student_or_404, staff_required
from app.prior_courses.forms import DeletePriorCourseForm, PriorCourseForm
from app.prior_courses.services import (
    add_prior_course,
    delete_prior_course,
    overall_placement,
    prior_courses,
    suggest_placement,
)
from app.students.models import Student

bp = Blueprint("prior_courses", __name__, url_prefix="/credits")


def prior_courses_panel(student: Student, form: PriorCourseForm | None = None) -> dict:
    """What the record's prior-courses section shows: each course with its suggestion."""
    courses = prior_courses(student)
    state = student.site.state_code
    rows = [(c, suggest_placement(c.level, c.year, c.sep_grade, state)) for c in courses]
    return {
        "rows": rows,
        "overall": overall_placement(courses),
        "can_edit": can_award_credit(current_user, student),
        "form": form or PriorCourseForm(),
        "delete_form": DeletePriorCourseForm(),
    }


def _render(
    student: Student,
    form: PriorCourseForm | None = None,
    error: str | None = None,
    status: int = 200,
):
    return render_template(
        "credits/prior_courses.html",
        student=student,
        prior_panel=prior_courses_panel(student, form),
        error=error,
    ), status


@bp.route("/students/<int:student_id>/prior-courses")
@staff_required
def index(student_id: int):
    return _render(get_student_or_404(student_id))


@bp.post("/students/<int:student_id>/prior-courses")
@staff_required
def add(student_id: int):
    student = get_student_or_404(student_id)
    if not can_award_credit(current_user, student):
        abort(403)
    form = PriorCourseForm()
    if not form.validate_on_submit():
        return _render(student, form, _("The form has expired; please try again."), 400)
    data = dict(form.data, year=to_int(form.year.data), sep_grade=_number(form.sep_grade.data))
    on_refusal(lambda _error: _render(get_student_or_404(student_id), form))  # message flashed
    course = add_prior_course(student, current_user, data)
    flash(
        _("%(subject)s was added to the courses taken in Mexico.", subject=course.subject),
        "success",
    )
    return redirect(url_for("students.detail", student_id=student.id, _anchor="prior-courses"))


@bp.post("/prior-courses/<int:prior_course_id>/delete")
@staff_required
def delete(prior_course_id: int):
    course = db.session.get(PriorCourse, prior_course_id) or abort(404)
    student = get_student_or_404(course.student_id)
    if not can_award_credit(current_user, student):
        abort(403)
    form = DeletePriorCourseForm()
    if not form.validate_on_submit():
        message = next(iter(form.reason.errors), _("The form has expired; please try again."))
        return _render(student, error=message, status=400)
    delete_prior_course(course, current_user, form.reason.data.strip())
    flash(_("%(subject)s was deleted.", subject=course.subject), "success")
    return redirect(url_for("students.detail", student_id=student.id, _anchor="prior-courses"))


def _number(text: str | None) -> float | None:
    """A grade typed as 8.5 or 8,5; None when it is not a number."""
    try:
        return float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
