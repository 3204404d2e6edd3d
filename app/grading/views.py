"""Teachers' grading: the queue, a test's grading page, and paper-packet scores."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.common import paginate_keys, to_int, utcnow
from app.courses.models import Course, Section
from app.enrollments.models import UnitProgress
from app.errors import ConflictError, DomainError, on_refusal
from app.extensions import db
from app.grading.access import can_grade, can_regrade
from app.grading.forms import GradeForm, PaperScoresForm, RegradeForm
from app.grading.services import (
    attempt_history,
    grade_attempt,
    grading_conflict_message,
    grading_queue_keys,
    load_attempt,
    load_queue_rows,
    queue_filters,
    queue_neighbours,
    record_paper_scores,
    regrade_attempt,
    return_attempt,
    test_try_limit,
    unit_attempts,
)
from app.learning.approvals import count_approval_requests
from app.learning.models import Attempt, AttemptStatus
from app.page_cache.pages import cached_page
from app.permissions import can_manage_student, scope_site_ids, staff_required, visible_sites
from app.template_helpers import format_percent
from app.users.models import Role

bp = Blueprint("grading", __name__, url_prefix="/grading")


@bp.route("/")
@staff_required
def queue():
    return cached_page(scope_site_ids(current_user), _queue)


def _queue():
    returned = request.args.get("view") == "returned"
    pagination = paginate_keys(
        grading_queue_keys(current_user, request.args, returned=returned), load_queue_rows
    )
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    sites = visible_sites(current_user) if current_user.role != Role.TEACHER else []
    return render_template(
        "grading/queue.html",
        pagination=pagination,
        courses=courses,
        sites=sites,
        returned=returned,
        filters=queue_filters(request.args),
        approval_count=count_approval_requests(current_user),
        now=utcnow(),
    )


def _managed_attempt(attempt_id: int) -> Attempt:
    attempt = load_attempt(attempt_id) or abort(404)
    if not can_manage_student(current_user, attempt.unit_progress.enrollment.student):
        abort(403)
    return attempt


def _per_item(prefix: str) -> dict[int, str]:
    """Posted `<prefix><item id>` fields as {item id: value}."""
    return {
        int(key[len(prefix) :]): value
        for key, value in request.form.items()
        if key.startswith(prefix) and key[len(prefix) :].isdigit()
    }


def _render_attempt(
    attempt: Attempt, status: int = 200, grade_form=None, regrade_form=None, conflict: bool = False
):
    progress = attempt.unit_progress
    items = progress.unit.items_in(attempt.section)
    previous_id, next_id = queue_neighbours(current_user, request.args, attempt)
    return render_template(
        "grading/attempt.html",
        attempt=attempt,
        progress=progress,
        student=progress.enrollment.student,
        answers={a.item_id: a for a in attempt.answers},
        history=attempt_history([attempt]),
        questions={item.id: n for n, item in enumerate(items, start=1)},
        items=items,
        grade_form=grade_form
        or GradeForm(formdata=None, overall_feedback=attempt.feedback, version=attempt.version),
        regrade_form=regrade_form or RegradeForm(formdata=None, version=attempt.version),
        posted=request.form if request.method == "POST" else {},
        conflict=conflict,
        filters=queue_filters(request.args),
        previous_id=previous_id,
        next_id=next_id,
        gradable=can_grade(current_user, attempt),
        regradable=can_regrade(current_user, attempt) and bool(items),
    ), status


def _refused_page(attempt_id: int, error: DomainError, forms: dict):
    """The grading page as it is now (the refused action was rolled back), with the teacher's
    entries kept; after a conflict the form carries the new version, since the page shows it."""
    attempt = _managed_attempt(attempt_id)
    conflict = isinstance(error, ConflictError)
    if conflict:
        for form in forms.values():
            form.version.data = attempt.version
    return _render_attempt(attempt, error.status, conflict=conflict, **forms)


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@staff_required
def attempt(attempt_id: int):
    """The grading page; its forms post here with action=grade, return or regrade."""
    attempt = _managed_attempt(attempt_id)
    if request.method == "GET":
        return _render_attempt(attempt)
    action = request.form.get("action")
    form = RegradeForm() if action == "regrade" else GradeForm()
    forms = {"regrade_form" if action == "regrade" else "grade_form": form}
    if action not in ACTIONS:
        abort(400)
    if not form.validate_on_submit():
        return _render_attempt(attempt, 422, **forms)
    on_refusal(
        lambda error: _refused_page(attempt_id, error, forms), conflict=grading_conflict_message()
    )
    flash(ACTIONS[action](attempt, form), "success")
    return redirect(url_for(".attempt", attempt_id=attempt.id, **queue_filters(request.args)))


def _grade(attempt: Attempt, form: GradeForm) -> str:
    grade_attempt(
        attempt,
        _per_item("score-"),
        _per_item("feedback-"),
        form.overall_feedback.data,
        current_user,
        to_int(form.version.data),
    )
    if attempt.status == AttemptStatus.GRADED:
        return _("Grades saved. The test is graded: %(p)s.", p=format_percent(attempt.percent))
    return _("Grades saved. Some open answers still need a score.")


def _return(attempt: Attempt, form: GradeForm) -> str:
    return_attempt(
        attempt, current_user, form.overall_feedback.data or "", to_int(form.version.data)
    )
    return _("The test was returned to the student for revision.")


def _regrade(attempt: Attempt, form: RegradeForm) -> str:
    regrade_attempt(
        attempt, _per_item("score-"), current_user, form.reason.data, to_int(form.version.data)
    )
    return _("The test was regraded: %(p)s.", p=format_percent(attempt.percent))


ACTIONS = {"grade": _grade, "return": _return, "regrade": _regrade}


@bp.route("/units/<int:unit_progress_id>/paper", methods=["GET", "POST"])
@staff_required
def paper(unit_progress_id: int):
    progress = _managed_progress(unit_progress_id)
    form = PaperScoresForm()
    if request.method == "GET":
        form.seen_attempts.data = len(unit_attempts(progress))
    elif form.validate_on_submit():
        on_refusal(
            lambda error: _render_paper(
                _managed_progress(unit_progress_id), form, seen_now=isinstance(error, ConflictError)
            )
        )
        record_paper_scores(
            progress,
            current_user,
            form.work,
            form.test,
            form.taken_on.data or date.today(),
            form.feedback.data,
            to_int(form.seen_attempts.data),
            to_int(form.sheet_try.data),
        )
        flash(_("The paper packet's scores were recorded."), "success")
        return redirect(url_for(".paper", unit_progress_id=progress.id))
    return _render_paper(progress, form, 422 if request.method == "POST" else 200)


@bp.route("/students/<int:student_id>/units/<int:unit_progress_id>/tries/<int:number>/paper")
@staff_required
def paper_sheet(student_id: int, unit_progress_id: int, number: int):
    """The paper-score page for one printed answer sheet: this student, unit and test try."""
    progress = _managed_progress(unit_progress_id)
    if progress.enrollment.student_id != student_id or not 1 <= number <= test_try_limit(progress):
        abort(404)
    form = PaperScoresForm(formdata=None, sheet_try=str(number))
    form.seen_attempts.data = len(unit_attempts(progress))
    return _render_paper(progress, form)


def _managed_progress(unit_progress_id: int) -> UnitProgress:
    progress = db.session.get(UnitProgress, unit_progress_id) or abort(404)
    if not can_manage_student(current_user, progress.enrollment.student):
        abort(403)
    return progress


def _render_paper(
    progress: UnitProgress, form: PaperScoresForm, status: int = 200, seen_now: bool = False
):
    attempts = unit_attempts(progress)
    if seen_now:  # the page now shows what was recorded meanwhile
        form.seen_attempts.data = len(attempts)
    sheet_try = to_int(form.sheet_try.data)
    return render_template(
        "grading/paper.html",
        form=form,
        sheet_try=sheet_try,
        sheet_attempt=next(
            (a for a in attempts if a.section == Section.TEST and a.number == sheet_try), None
        ),
        progress=progress,
        student=progress.enrollment.student,
        attempts=attempts,
        history=attempt_history(attempts),
    ), status
