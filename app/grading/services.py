"""Grading services: the queue, saving grades, returns, regrades and paper-packet scores."""

import math
from datetime import date, datetime, time
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.common import to_int, utcnow
from app.courses.models import CourseVersion, Item, ItemKind, Section, Unit
from app.credits.rules import round_percent, rules_for
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.errors import ConflictError, DomainError
from app.extensions import db
from app.learning.models import Answer, Attempt, AttemptStatus, Mode
from app.learning.notices import notify_graded, notify_if_completed, notify_returned
from app.learning.scoring import (
    finalize_attempt,
    parse_number,
    refresh_unit_progress,
    section_items,
    total_points,
)
from app.permissions import site_ids_scope
from app.search import key_contains, terms
from app.sites.models import Site
from app.students.models import Student
from app.users.models import User

FEEDBACK_MAX = 2000


class GradingError(DomainError):
    """A grading action is refused; the (translated) message says which question and why."""


def grading_conflict_message() -> str:
    return _(
        "Another teacher saved this test after you opened it, so your grades were not saved. "
        "Your entries are kept in the form and the grades saved now are shown beside them: "
        "check them and save again."
    )


def check_version(attempt: Attempt, opened_version: int | None) -> None:
    """Refuse a change made from a page opened on an older version of the attempt.

    :raises ConflictError: when the attempt changed since `opened_version` (None: not checked).
    """
    if opened_version is not None and opened_version != attempt.version:
        raise ConflictError(grading_conflict_message())


def _touch(attempt: Attempt) -> None:
    """Make the flush update the attempt row, so its version moves on (and is checked)."""
    flag_modified(attempt, "feedback")


# --- queries -------------------------------------------------------------------------------


QUEUE_FILTERS = ("view", "q", "course", "site")


def queue_filters(args) -> dict[str, str]:
    """The queue's filters in `args`, to carry from the queue to a grading page and back."""
    return {name: args[name] for name in QUEUE_FILTERS if args.get(name)}


def _queue(column, user: User, args, returned: bool) -> Select:
    """A select of `column` over the queue's attempts, from the attempt table alone unless a
    filter needs the student or the course: its index holds the queue's order."""
    status = AttemptStatus.RETURNED if returned else AttemptStatus.SUBMITTED
    # An open attempt's site is its student's (a move updates it): the scope is said on it.
    stmt = select(column).where(
        Attempt.status == status,
        Attempt.section == Section.TEST,
        site_ids_scope(user, Attempt.site_id),
    )
    site_id = to_int(args.get("site"))
    if site_id:
        stmt = stmt.where(Attempt.site_id == site_id)
    course_id = to_int(args.get("course"))
    words = terms(args.get("q"))
    if course_id or words:
        stmt = stmt.join(Attempt.unit_progress).join(UnitProgress.enrollment)
    if course_id:
        versions = select(CourseVersion.id).where(CourseVersion.course_id == course_id)
        stmt = stmt.where(Enrollment.course_version_id.in_(versions))
    if words:
        stmt = stmt.join(Enrollment.student)
        for term in words:
            stmt = stmt.where(key_contains(term, Student.search_name))
    return stmt


def grading_queue_keys(user: User, args, *, returned: bool = False) -> Select:
    """The ids of the test attempts awaiting grading (or returned for revision) for students in
    `user`'s scope, oldest hand-in first, narrowed by the queue filters in `args` (course,
    site, q); `load_queue_rows` loads a page of them."""
    return _queue(Attempt.id, user, args, returned).order_by(
        Attempt.submitted_at.asc(), Attempt.id.asc()
    )


def _student_and_course():
    """Load options: an attempt's student with their site, and the course version."""
    enrollment = selectinload(Attempt.unit_progress).selectinload(UnitProgress.enrollment)
    return (
        enrollment.selectinload(Enrollment.student).selectinload(Student.site),
        enrollment.selectinload(Enrollment.course_version),
    )


class QueueRow(NamedTuple):
    """What the queue shows of one attempt (read only: no entity to load or track)."""

    id: int
    number: int
    submitted_at: datetime | None
    unit_number: int
    student_name: str
    site_name: str
    title_en: str
    title_es: str

    def text(self, field: str, locale: str) -> str:  # the course title, as Bilingual.text
        return getattr(self, f"{field}_{locale}", None) or getattr(self, f"{field}_en")


def load_queue_rows(ids: list[int]) -> list[QueueRow]:
    """The attempts `ids`, in that order, with the student, site and course the queue shows,
    in one query of the columns it reads."""
    rows = db.session.execute(
        select(
            Attempt.id,
            Attempt.number,
            Attempt.submitted_at,
            UnitProgress.unit_number,
            Student.given_name,
            Student.family_name,
            Student.second_family_name,
            Site.name,
            CourseVersion.title_en,
            CourseVersion.title_es,
        )
        .join(Attempt.unit_progress)
        .join(UnitProgress.enrollment)
        .join(Enrollment.student)
        .join(Student.site)
        .join(Enrollment.course_version)
        .where(Attempt.id.in_(ids))
    )
    by_id = {
        row[0]: QueueRow(
            row[0],
            row[1],
            row[2],
            row[3],
            " ".join(part for part in row[4:7] if part),  # as Student.full_name
            *row[7:],
        )
        for row in rows
    }
    return [by_id[key] for key in ids if key in by_id]


def queue_neighbours(user: User, args, attempt: Attempt) -> tuple[int | None, int | None]:
    """The attempts before and after `attempt` in the queue's order with the same filters
    (`args`), as ids; `attempt` itself need not be in the queue any more (just graded)."""
    if attempt.submitted_at is None:
        return None, None
    returned = args.get("view") == "returned"
    ids = _queue(Attempt.id, user, args, returned)
    at, key = attempt.submitted_at, attempt.id
    before = or_(Attempt.submitted_at < at, and_(Attempt.submitted_at == at, Attempt.id < key))
    after = or_(Attempt.submitted_at > at, and_(Attempt.submitted_at == at, Attempt.id > key))
    previous = db.session.scalar(
        ids.where(before).order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(1)
    )
    following = db.session.scalar(
        ids.where(after).order_by(Attempt.submitted_at.asc(), Attempt.id.asc()).limit(1)
    )
    return previous, following


def load_attempt(attempt_id: int) -> Attempt | None:
    """An attempt with everything its grading page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.id == attempt_id)
        .options(
            selectinload(Attempt.answers),
            selectinload(Attempt.graded_by),
            selectinload(Attempt.unit_progress)
            .selectinload(UnitProgress.unit)
            .selectinload(Unit.items),
            *_student_and_course(),
        )
    )


def attempt_history(attempts: list[Attempt]) -> list[AuditEvent]:
    """The audit events about these attempts, oldest first, with who did them."""
    if not attempts:
        return []
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == Attempt.__tablename__,
                AuditEvent.object_id.in_([a.id for a in attempts]),
            )
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def unit_attempts(progress: UnitProgress) -> list[Attempt]:
    """Every attempt of a unit (practice and test), in order."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.unit_progress_id == progress.id)
            .options(selectinload(Attempt.graded_by))
            .order_by(Attempt.section, Attempt.number)
        )
    )


# --- online grading ------------------------------------------------------------------------


def grade_attempt(
    attempt: Attempt,
    scores: dict[int, object],
    feedbacks: dict[int, str],
    overall_feedback: str | None,
    teacher: User,
    opened_version: int | None = None,
) -> Attempt:
    """Save a teacher's scores for open items; once every open item is scored, finalize.

    :param scores: item id → score (text or number); a blank value clears the score,
        an item left out keeps its score.
    :param opened_version: the attempt's version when the grading page was opened.
    :raises ConflictError: when the attempt changed since the page was opened.
    :raises GradingError: when the attempt is not awaiting grading or a score is invalid;
        nothing is saved then.
    """
    check_version(attempt, opened_version)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise GradingError(_("This test is not waiting to be graded."))
    was = attempt.unit_progress.enrollment.status
    numbers = _item_numbers(attempt)
    answers = _answers_by_item(attempt)
    parsed = {}
    for item_id, raw in scores.items():
        item = _own_item(numbers, item_id)
        if item.kind != ItemKind.OPEN:
            raise GradingError(_("Question %(n)s is scored automatically.", n=numbers[item.id][0]))
        parsed[item.id] = _parse_score(item, numbers[item.id][0], raw)
    notes = {
        item_id: _clean_feedback(numbers, item_id, text) for item_id, text in feedbacks.items()
    }
    for item_id, points in parsed.items():
        answers[item_id].points = points
    for item_id, note in notes.items():
        answers[item_id].feedback = note
    if overall_feedback is not None:
        attempt.feedback = overall_feedback.strip() or None
    _touch(attempt)
    complete = all(
        answers[item.id].points is not None
        for _n, item in numbers.values()
        if item.kind == ItemKind.OPEN
    )
    if complete:
        finalize_attempt(attempt, teacher)
    else:
        total_points(attempt)
        db.session.flush()
    record_event(
        teacher,
        "attempt.graded",
        attempt,
        student_id=_student_id(attempt),
        final=complete,
        percent=attempt.percent,
        items={str(i): {"points": p} for i, p in parsed.items()},
    )
    if complete:
        notify_graded(attempt, teacher)
        notify_if_completed(attempt.unit_progress.enrollment, was)
    return attempt


def return_attempt(
    attempt: Attempt, teacher: User, feedback: str, opened_version: int | None = None
) -> Attempt:
    """Send a test back to the student for revision of its open answers.

    :raises ConflictError: when the attempt changed since the page was opened.
    :raises GradingError: when the attempt is not awaiting grading or the feedback is empty.
    """
    check_version(attempt, opened_version)
    if attempt.status != AttemptStatus.SUBMITTED:
        raise GradingError(_("Only a test waiting to be graded can be returned."))
    feedback = (feedback or "").strip()
    if not feedback:
        raise GradingError(_("Tell the student what to revise before returning the test."))
    # The revised open answers are graded afresh when the student hands the test in again.
    for answer in attempt.answers:
        if answer.item.kind == ItemKind.OPEN:
            answer.points = None
    attempt.status = AttemptStatus.RETURNED
    attempt.feedback = feedback
    db.session.flush()
    record_event(
        teacher,
        "attempt.returned",
        attempt,
        student_id=_student_id(attempt),
        reason=feedback[:1000],
    )
    refresh_unit_progress(attempt.unit_progress)
    notify_returned(attempt, teacher)
    return attempt


def regrade_attempt(
    attempt: Attempt,
    scores: dict[int, object],
    teacher: User,
    reason: str,
    opened_version: int | None = None,
) -> Attempt:
    """Change scores of a graded attempt, keeping each item's before and after, and why.

    :param scores: item id → new score; items left out (or blank) keep their score.
    :raises ConflictError: when the attempt changed since the page was opened.
    :raises GradingError: without a reason, on an invalid score, or when nothing changes.
    """
    check_version(attempt, opened_version)
    if attempt.status != AttemptStatus.GRADED or attempt.mode == Mode.PAPER:
        raise GradingError(_("Only an online test that has been graded can be regraded."))
    reason = (reason or "").strip()
    if not reason:
        raise GradingError(_("Give the reason for the regrade."))
    numbers = _item_numbers(attempt)
    answers = _answers_by_item(attempt)
    changes = []
    for item_id, raw in scores.items():
        item = _own_item(numbers, item_id)
        points = _parse_score(item, numbers[item.id][0], raw)
        before = answers[item.id].points
        if points is not None and points != before:
            changes.append((item, before, points))
    if not changes:
        raise GradingError(_("No score was changed."))
    percent_before = attempt.percent
    for item, _before, points in changes:
        answer = answers[item.id]
        answer.points = points
        if item.kind != ItemKind.OPEN:
            answer.is_correct = points >= item.points
    finalize_attempt(attempt, teacher)
    record_event(
        teacher,
        "attempt.regraded",
        attempt,
        student_id=_student_id(attempt),
        reason=reason[:1000],
        percent_before=percent_before,
        percent_after=attempt.percent,
        items={str(item.id): {"before": before, "after": after} for item, before, after in changes},
    )
    return attempt


def _item_numbers(attempt: Attempt) -> dict[int, tuple[int, Item]]:
    """item id → (question number as the student saw it, item)."""
    return {item.id: (n, item) for n, item in enumerate(section_items(attempt), start=1)}


def _answers_by_item(attempt: Attempt) -> dict[int, Answer]:
    answers = {answer.item_id: answer for answer in attempt.answers}
    for item in section_items(attempt):
        if item.id not in answers:  # handed-in attempts have an answer for every item
            answers[item.id] = Answer(attempt=attempt, item=item, response="")
            db.session.add(answers[item.id])
    return answers


def _own_item(numbers: dict[int, tuple[int, Item]], item_id) -> Item:
    item_id = to_int(item_id)
    if item_id not in numbers:
        raise GradingError(_("That question is not part of this test."))
    return numbers[item_id][1]


def _parse_score(item: Item, number: int, raw) -> float | None:
    """A posted score as points; None for a blank score."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    value = raw if isinstance(raw, int | float) else parse_number(str(raw))
    if value is None or not math.isfinite(value) or not 0 <= value <= item.points:
        raise GradingError(
            _(
                "Question %(n)s: the score must be a number from 0 to %(max)s.",
                n=number,
                max=f"{item.points:g}",
            )
        )
    return float(value)


def _clean_feedback(numbers, item_id, text) -> str | None:
    item = _own_item(numbers, item_id)
    text = (text or "").strip()
    if len(text) > FEEDBACK_MAX:
        raise GradingError(
            _(
                "Question %(n)s: the feedback is too long (%(max)s characters at most).",
                n=numbers[item.id][0],
                max=FEEDBACK_MAX,
            )
        )
    return text or None


def _student_id(attempt: Attempt) -> int:
    return attempt.unit_progress.enrollment.student_id


# --- paper packets -------------------------------------------------------------------------


def record_paper_scores(
    progress: UnitProgress,
    teacher: User,
    work_percent: float | None,
    test_percent: float | None,
    taken_on: date,
    feedback: str | None = None,
    seen_attempts: int | None = None,
    sheet_try: int | None = None,
) -> list[Attempt]:
    """Enter a paper packet's unit-work and/or unit-test percent as graded PAPER attempts.

    :param seen_attempts: how many attempts the unit had when the form was opened; a form
        sent twice (or after another teacher's entry) is refused, so nothing is recorded twice.
    :param sheet_try: the unit-test try named by a printed answer sheet; its score is recorded
        only as that try.
    :raises ConflictError: when the unit's attempts changed since the form was opened, or the
        answer sheet's try is not the next one to record.
    :raises GradingError: when neither score is given, a score is outside 0–100, the date is
        in the future, or the unit test has no try left (or another test is open).
    """
    if work_percent is None and test_percent is None:
        raise GradingError(_("Enter the unit-work score, the unit-test score, or both."))
    for is_test, value in ((False, work_percent), (True, test_percent)):
        if value is not None and not (math.isfinite(value) and 0 <= value <= 100):
            what = _("Unit test") if is_test else _("Unit work")
            raise GradingError(_("%(what)s: the percent must be between 0 and 100.", what=what))
    if taken_on is None:
        raise GradingError(_("Enter the date the packet was done."))
    if taken_on > date.today():
        raise GradingError(_("The date taken cannot be in the future."))
    if progress.enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise GradingError(_("The student was withdrawn from this course."))
    existing = unit_attempts(progress)
    if seen_attempts is not None and seen_attempts != len(existing):
        raise ConflictError(
            _(
                "Scores for this unit were recorded after you opened this page (perhaps the form "
                "was sent twice), so nothing was recorded again. Check the attempts below."
            )
        )
    if test_percent is not None:
        _check_test_allowed(progress, existing)
        _check_sheet_try(existing, sheet_try)
    was = progress.enrollment.status
    taken_at = datetime.combine(taken_on, time(12))
    created = []
    for section, percent in ((Section.PRACTICE, work_percent), (Section.TEST, test_percent)):
        if percent is None:
            continue
        number = 1 + max((a.number for a in existing if a.section == section), default=0)
        attempt = Attempt(
            unit_progress=progress,
            section=section,
            number=number,
            mode=Mode.PAPER,
            status=AttemptStatus.GRADED,
            started_at=taken_at,
            submitted_at=taken_at,
            graded_at=utcnow(),
            graded_by_id=teacher.id,
            site_id=progress.enrollment.student.site_id,
            max_points=100.0,
            manual_points=round_percent(percent),
            percent=round_percent(percent),
            feedback=(feedback or "").strip() or None,
        )
        db.session.add(attempt)
        created.append(attempt)
    db.session.flush()
    for attempt in created:
        record_event(
            teacher,
            "paper_scores.recorded",
            attempt,
            student_id=progress.enrollment.student_id,
            section=attempt.section.value,
            number=attempt.number,
            percent=attempt.percent,
            taken_on=taken_on.isoformat(),
        )
    refresh_unit_progress(progress)
    for attempt in created:
        if attempt.section == Section.TEST:
            notify_graded(attempt, teacher)
    notify_if_completed(progress.enrollment, was)
    return created


def _check_sheet_try(existing: list[Attempt], sheet_try: int | None) -> None:
    if sheet_try is None:
        return
    following = 1 + max((a.number for a in existing if a.section == Section.TEST), default=0)
    if sheet_try != following:
        raise ConflictError(
            _(
                "This answer sheet is for try %(sheet)s of the unit test, but the next try to "
                "record is try %(next)s, so nothing was recorded. Check the attempts below.",
                sheet=sheet_try,
                next=following,
            )
        )


def test_try_limit(progress: UnitProgress) -> int:
    """How many unit-test tries the student's state allows (the first and one retake)."""
    return rules_for(progress.enrollment.student.site.state_code).test_attempts


def _check_test_allowed(progress: UnitProgress, existing: list[Attempt]) -> None:
    tests = [a for a in existing if a.section == Section.TEST]
    limit = test_try_limit(progress)
    if len(tests) >= limit:
        raise GradingError(_("This unit has no unit-test try left (%(n)s tries at most).", n=limit))
    if any(a.status != AttemptStatus.GRADED for a in tests):
        raise GradingError(_("An online test for this unit is still open or waiting for grading."))
