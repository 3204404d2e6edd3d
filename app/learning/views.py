"""Student pages: dashboard, units, lessons, practice and unit tests (with autosave)."""

import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.common import utcnow
from app.courses.models import CourseVersion, Section
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import on_refusal
from app.extensions import db
from app.learning.approvals import find_open_request, request_approval, request_refusal
from app.learning.models import Attempt, AttemptStatus, ReceiptOutcome
from app.learning.receipts import previous_receipt, receive_answer, receive_hand_in, typed_at
from app.learning.services import (
    LearningError,
    approval_valid_until,
    approve_unit_test,
    current_test_attempt,
    existing_practice_attempt,
    hand_in_test,
    mark_lesson_read,
    practice_attempt,
    save_answers,
    start_unit_test,
    test_refusal,
)
from app.page_cache.pages import cached_page
from app.permissions import can_manage_student, staff_required, student_required
from app.students.models import Student

bp = Blueprint("learning", __name__, url_prefix="/learn")


def current_student() -> Student:
    student = db.session.scalar(select(Student).where(Student.user_id == current_user.id))
    return student or abort(403)


def own_progress(progress_id: int) -> UnitProgress:
    """Load a unit of the signed-in student's own enrollment (404 / 403 otherwise)."""
    progress = db.session.get(UnitProgress, progress_id) or abort(404)
    if progress.enrollment.student.user_id != current_user.id:
        abort(403)
    return progress


def own_attempt(attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id) or abort(404)
    if attempt.unit_progress.enrollment.student.user_id != current_user.id:
        abort(403)
    return attempt


def posted_answers() -> dict[int, str]:
    """{item_id: response} from a form post (fields named answer-<item id>)."""
    answers = {}
    for key, value in request.form.items():
        if key.startswith("answer-") and key[7:].isdigit():
            answers[int(key[7:])] = value
    return answers


@bp.route("/")
@student_required
def dashboard():
    student = current_student()
    return cached_page([student.site_id], lambda: _dashboard(student))


def _dashboard(student):
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .options(
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.unit),
        )
        .order_by(Enrollment.status, Enrollment.assigned_at.desc())
    ).all()
    return render_template("learning/dashboard.html", student=student, enrollments=enrollments)


@bp.route("/enrollments/<int:enrollment_id>")
@student_required
def enrollment(enrollment_id: int):
    enrollment = db.session.get(Enrollment, enrollment_id) or abort(404)
    if enrollment.student.user_id != current_user.id:
        abort(403)
    return render_template("learning/enrollment.html", enrollment=enrollment)


@bp.route("/units/<int:unit_progress_id>")
@student_required
def unit(unit_progress_id: int):
    progress = own_progress(unit_progress_id)
    return render_template(
        "learning/unit.html",
        progress=progress,
        unit=progress.unit,
        attempt=current_test_attempt(progress),
        refusal=test_refusal(progress),
        approved_until=approval_valid_until(progress),
        may_ask=request_refusal(progress) is None,
        open_request=find_open_request(progress),
        tests=_test_attempts(progress),
        form=FlaskForm(),
    )


def _test_attempts(progress: UnitProgress) -> list[Attempt]:
    return db.session.scalars(
        select(Attempt)
        .where(Attempt.unit_progress_id == progress.id, Attempt.section == Section.TEST)
        .order_by(Attempt.number)
    ).all()


@bp.route("/units/<int:unit_progress_id>/lessons/<int:position>")
@student_required
def lesson(unit_progress_id: int, position: int):
    progress = own_progress(unit_progress_id)
    lessons = progress.unit.lessons
    if not 1 <= position <= len(lessons):
        abort(404)
    form = FlaskForm()  # "Next lesson" posts: reading is recorded by a POST, never by a GET
    return render_template(
        "learning/lesson.html",
        progress=progress,
        lesson=lessons[position - 1],
        position=position,
        count=len(lessons),
        form=form,
    )


@bp.route("/units/<int:unit_progress_id>/lessons/<int:position>/read", methods=["POST"])
@student_required
def read_lesson(unit_progress_id: int, position: int):
    progress = own_progress(unit_progress_id)
    count = len(progress.unit.lessons)
    if not 1 <= position <= count:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    mark_lesson_read(progress, position)
    if position < count:
        return redirect(url_for(".lesson", unit_progress_id=progress.id, position=position + 1))
    return redirect(url_for(".practice", unit_progress_id=progress.id))


@bp.route("/units/<int:unit_progress_id>/practice", methods=["GET", "POST"])
@student_required
def practice(unit_progress_id: int):
    progress = own_progress(unit_progress_id)
    attempt = existing_practice_attempt(progress)  # a GET makes nothing
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        attempt = practice_attempt(progress)
        on_refusal(redirect_to=url_for(".practice", unit_progress_id=progress.id))
        save_answers(attempt, posted_answers())
        flash(_("Your answers are checked and saved."), "success")
        return redirect(url_for(".practice", unit_progress_id=progress.id))
    return render_template(
        "learning/practice.html",
        progress=progress,
        attempt=attempt,
        form=form,
        items=progress.unit.items_in(Section.PRACTICE),
        answers=_answers(attempt),
    )


def _answers(attempt: Attempt | None) -> dict:
    return {answer.item_id: answer for answer in attempt.answers} if attempt else {}


@bp.route("/units/<int:unit_progress_id>/test", methods=["GET"])
@student_required
def test(unit_progress_id: int):
    progress = own_progress(unit_progress_id)
    attempt = current_test_attempt(progress)
    if attempt is None:
        return redirect(url_for(".unit", unit_progress_id=progress.id))
    return render_template(
        "learning/test.html",
        progress=progress,
        attempt=attempt,
        form=FlaskForm(),
        items=progress.unit.items_in(Section.TEST),
        answers=_answers(attempt),
    )


@bp.route("/units/<int:unit_progress_id>/test/start", methods=["POST"])
@student_required
def start_test(unit_progress_id: int):
    progress = own_progress(unit_progress_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    on_refusal(
        redirect_to=url_for(".unit", unit_progress_id=progress.id),
        conflict=_(
            "The test was already started (the button was pressed twice): continue it here."
        ),
    )
    start_unit_test(progress, current_student())
    return redirect(url_for(".test", unit_progress_id=progress.id))


@bp.route("/units/<int:unit_progress_id>/ask-approval", methods=["POST"])
@student_required
def ask_approval(unit_progress_id: int):
    """The student asks the teacher to approve the unit test (one open request per unit)."""
    progress = own_progress(unit_progress_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    on_refusal(redirect_to=url_for(".unit", unit_progress_id=progress.id))
    _request, made = request_approval(progress, current_user)
    if made:
        flash(_("Your teacher was asked to approve the unit test."), "success")
    else:
        flash(_("You already asked your teacher; the request is waiting."), "info")
    return redirect(url_for(".unit", unit_progress_id=progress.id))


@bp.route("/attempts/<int:attempt_id>/autosave", methods=["POST"])
@student_required
def autosave(attempt_id: int):
    return _autosave(own_attempt(attempt_id))


@bp.route("/units/<int:unit_progress_id>/practice/autosave", methods=["POST"])
@student_required
def practice_autosave(unit_progress_id: int):
    """Autosave on the practice page: its attempt is made by the first answer saved."""
    return _autosave(practice_attempt(own_progress(unit_progress_id)))


KEY = re.compile(r"[A-Za-z0-9-]{16,64}")  # the phone's idempotency key (a UUID)


def _autosave(attempt: Attempt):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("item_id"), int):
        return jsonify(error=_("The answer could not be read.")), 400
    response = payload.get("response", "")
    if not isinstance(response, str):
        return jsonify(error=_("The answer could not be read.")), 400
    if "key" in payload:
        return _receive_from_outbox(attempt, payload, response)
    (answer,) = save_answers(attempt, {payload["item_id"]: response})  # refused: JSON 409
    body = {"saved": True, "saved_at": utcnow().isoformat() + "Z"}
    if attempt.section == Section.PRACTICE:
        body.update(correct=answer.is_correct, work_percent=attempt.unit_progress.work_percent)
    return jsonify(body)


def _outbox_key(payload: dict) -> str:
    key = payload.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        abort(400)
    return key


def _receive_from_outbox(attempt: Attempt, payload: dict, response: str):
    """An answer from the phone's outbox: applied once (its key), answered with the outcome."""
    key = _outbox_key(payload)
    previous = previous_receipt(key)
    if previous is not None:
        if previous.user_id != current_user.id or previous.attempt_id != attempt.id:
            abort(400)
        return jsonify(_outcome(previous.outcome, attempt, duplicate=True))
    when = typed_at(payload.get("age_ms"))
    try:
        receipt, answer = receive_answer(
            attempt, current_user, key, payload["item_id"], response, when
        )
    except LearningError as error:
        db.session.rollback()
        return jsonify(outcome=ReceiptOutcome.REFUSED.value, message=error.message), 422
    body = _outcome(receipt.outcome, attempt)
    if attempt.section == Section.PRACTICE and answer is not None:
        body.update(correct=answer.is_correct, work_percent=attempt.unit_progress.work_percent)
    return jsonify(body)


def _outcome(outcome: ReceiptOutcome, attempt: Attempt, duplicate: bool = False) -> dict:
    now = utcnow()
    body = {"outcome": outcome.value, "duplicate": duplicate, "saved_at": now.isoformat() + "Z"}
    if outcome == ReceiptOutcome.KEPT_NEWER:
        body["message"] = _("A newer answer, typed later on another device, was kept.")
    if outcome == ReceiptOutcome.HANDED_IN:
        body["result_url"] = url_for(".result", attempt_id=attempt.id)
    return body


@bp.route("/attempts/<int:attempt_id>/hand-in", methods=["POST"])
@student_required
def outbox_hand_in(attempt_id: int):
    """A hand-in from the phone's outbox, sent after every answer before it; applied once."""
    attempt = own_attempt(attempt_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error=_("The answer could not be read.")), 400
    key = _outbox_key(payload)
    previous = previous_receipt(key)
    if previous is not None:
        if previous.user_id != current_user.id or previous.attempt_id != attempt.id:
            abort(400)
        return jsonify(_outcome(previous.outcome, attempt, duplicate=True))
    try:
        receipt = receive_hand_in(
            attempt, current_user, current_student(), key, typed_at(payload.get("age_ms"))
        )
    except LearningError as error:
        db.session.rollback()
        return jsonify(outcome=ReceiptOutcome.REFUSED.value, message=error.message), 422
    return jsonify(_outcome(receipt.outcome, attempt))


@bp.route("/enrollments/<int:enrollment_id>/offline.json")
@student_required
def offline_pages(enrollment_id: int):
    """The course's pages a phone keeps for reading and answering without a connection."""
    enrollment = db.session.get(Enrollment, enrollment_id) or abort(404)
    if enrollment.student.user_id != current_user.id:
        abort(403)
    return jsonify(urls=offline_urls(enrollment))


@bp.route("/attempts/<int:attempt_id>", methods=["POST"])
@student_required
def submit(attempt_id: int):
    attempt = own_attempt(attempt_id)
    progress = attempt.unit_progress
    if not FlaskForm().validate_on_submit():
        abort(400)
    hand_in = request.form.get("action") == "hand_in"
    if hand_in and attempt.status in (AttemptStatus.SUBMITTED, AttemptStatus.GRADED):
        # Sent twice (a double click, a retry): the first hand-in stands.
        flash(_("Your test is handed in."), "success")
        return redirect(url_for(".result", attempt_id=attempt.id))
    on_refusal(
        redirect_to=url_for(".unit", unit_progress_id=progress.id),
        conflict=_("Your test was just handed in (the button was pressed twice)."),
    )
    save_answers(attempt, posted_answers())
    if hand_in:
        hand_in_test(attempt, current_student())
        flash(_("Your test is handed in."), "success")
        return redirect(url_for(".result", attempt_id=attempt.id))
    flash(_("Your answers are saved. You can come back and finish later."), "success")
    return redirect(url_for(".test", unit_progress_id=progress.id))


@bp.route("/attempts/<int:attempt_id>/result")
@student_required
def result(attempt_id: int):
    attempt = own_attempt(attempt_id)
    if attempt.status in (AttemptStatus.IN_PROGRESS, AttemptStatus.RETURNED):
        return redirect(url_for(".test", unit_progress_id=attempt.unit_progress_id))
    items = attempt.unit_progress.unit.items_in(attempt.section)
    return render_template(
        "learning/result.html",
        attempt=attempt,
        progress=attempt.unit_progress,
        items=items,
        answers=_answers(attempt),
    )


@bp.route("/units/<int:unit_progress_id>/approve", methods=["POST"])
@staff_required
def approve_test(unit_progress_id: int):
    progress = db.session.get(UnitProgress, unit_progress_id) or abort(404)
    student = progress.enrollment.student
    if not can_manage_student(current_user, student):
        abort(403)
    if not FlaskForm().validate_on_submit():
        abort(400)
    target = request.form.get("next") or ""
    if not (target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc):
        target = url_for("students.detail", student_id=student.id)
    on_refusal(redirect_to=target)
    approve_unit_test(progress, current_user)
    flash(
        _("Unit %(n)s test approved for %(name)s.", n=progress.unit_number, name=student.full_name),
        "success",
    )
    return redirect(target)


def offline_urls(enrollment: Enrollment) -> list[str]:
    """The enrollment's pages, every unit's lessons and practice, and each open unit test."""
    open_tests = set(
        db.session.scalars(
            select(Attempt.unit_progress_id).where(
                Attempt.unit_progress_id.in_([unit.id for unit in enrollment.units]),
                Attempt.section == Section.TEST,
                Attempt.status.in_([AttemptStatus.IN_PROGRESS, AttemptStatus.RETURNED]),
            )
        )
    )
    urls = [url_for(".dashboard"), url_for(".enrollment", enrollment_id=enrollment.id)]
    for progress in enrollment.units:
        urls.append(url_for(".unit", unit_progress_id=progress.id))
        for position in range(1, len(progress.unit.lessons) + 1):
            urls.append(url_for(".lesson", unit_progress_id=progress.id, position=position))
        urls.append(url_for(".practice", unit_progress_id=progress.id))
        if progress.id in open_tests:
            urls.append(url_for(".test", unit_progress_id=progress.id))
    return urls
