"""Grading a handed-in test: validation, finalizing, returns, regrades and their audit trail."""

import pytest

from app.audit.models import AuditEvent
from app.enrollments.models import UnitStatus
from app.extensions import db
from app.grading.services import GradingError, grade_attempt, regrade_attempt
from app.learning.models import AttemptStatus
from app.learning.scoring import save_response, submit_attempt
from tests import factories
from tests.grading.helpers import RIGHT, WRONG, open_item


@pytest.fixture
def attempt(world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    return factories.make_submitted_test(enrollment.units[0])


@pytest.fixture
def teacher(world, auth, attempt):
    # Signing in after the data is made: the sign-in request commits it, so a refused
    # (rolled-back) request later on cannot take the test's own rows with it.
    auth.login(world["teacher_tx1"])
    return world["teacher_tx1"]


@pytest.fixture
def in_request(app):
    """Services translate their messages, which needs a request (the user's language)."""
    with app.test_request_context():
        yield


def _post(client, attempt, **data):
    return client.post(f"/grading/attempts/{attempt.id}", data=data)


def _events(action):
    return db.session.query(AuditEvent).filter_by(action=action).all()


def test_grading_page_shows_answers_rubric_and_score_inputs(client, teacher, attempt):
    item = open_item(attempt.unit_progress)
    page = client.get(f"/grading/attempts/{attempt.id}").get_data(as_text=True)
    assert RIGHT[2] in page  # the open answer
    assert "Clear" in page  # the rubric, in English
    assert f'name="score-{item.id}"' in page and f'name="feedback-{item.id}"' in page
    assert "correct" in page and "Save grades" in page and "Return for revision" in page


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("2.5", "Question 3: the score must be a number from 0 to 2."),
        ("-1", "Question 3: the score must be a number from 0 to 2."),
        ("two", "Question 3: the score must be a number from 0 to 2."),
        ("nan", "Question 3: the score must be a number from 0 to 2."),
    ],
)
def test_invalid_score_re_renders_with_the_message_and_saves_nothing(
    client, teacher, attempt, score, message
):
    item = open_item(attempt.unit_progress)
    response = _post(
        client,
        attempt,
        action="grade",
        **{f"score-{item.id}": score},
        **{f"feedback-{item.id}": "Kept?"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{score}"' in page  # the teacher's input is shown again
    db.session.expire_all()
    answer = next(a for a in attempt.answers if a.item_id == item.id)
    assert answer.points is None and answer.feedback is None
    assert attempt.status == AttemptStatus.SUBMITTED
    assert _events("attempt.graded") == []


def test_full_grading_finalizes_and_passes_the_unit(client, teacher, attempt):
    item = open_item(attempt.unit_progress)
    response = _post(
        client,
        attempt,
        action="grade",
        overall_feedback="Well done.",
        **{f"score-{item.id}": "1,5", f"feedback-{item.id}": "Good"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.percent == 87.5  # 1 + 1 + 1.5 of 4 points
    assert attempt.graded_by_id == teacher.id and attempt.feedback == "Well done."
    assert attempt.unit_progress.status == UnitStatus.PASSED
    assert attempt.unit_progress.best_test_percent == 87.5
    (event,) = _events("attempt.graded")
    assert (
        event.actor_id == teacher.id
        and event.student_id == attempt.unit_progress.enrollment.student_id
    )
    assert event.data["final"] is True and event.data["items"] == {str(item.id): {"points": 1.5}}


def test_low_score_fails_the_unit(world, attempt):
    progress = factories.make_enrollment(
        factories.make_student(world["tx1"]), world["course"]
    ).units[0]
    failed = factories.make_submitted_test(progress, WRONG)
    grade_attempt(failed, {open_item(progress).id: "0"}, {}, "", world["teacher_tx1"])
    assert failed.percent == 0.0 and progress.status == UnitStatus.FAILED


def test_partial_grading_keeps_the_test_waiting(world):
    course = factories.make_course_version(units=1)
    unit = course.units[0]
    from app.courses.models import Item, ItemKind, Section

    unit.items.append(
        Item(
            section=Section.TEST,
            key="t4",
            position=5,
            kind=ItemKind.OPEN,
            points=3,
            prompt_en="More.",
            prompt_es="Más.",
            answer={},
        )
    )
    db.session.flush()
    progress = factories.make_enrollment(world["student_tx1"], course).units[0]
    attempt = factories.make_submitted_test(progress, RIGHT + ("Also this.",))
    grade_attempt(attempt, {open_item(progress).id: 2}, {}, None, world["teacher_tx1"])
    assert attempt.status == AttemptStatus.SUBMITTED
    assert progress.status == UnitStatus.AWAITING_GRADING
    assert _events("attempt.graded")[0].data["final"] is False


def test_auto_items_cannot_be_graded_by_hand(world, attempt, in_request):
    auto = attempt.unit_progress.unit.items_in(attempt.section)[0]
    with pytest.raises(GradingError, match="Question 1 is scored automatically"):
        grade_attempt(attempt, {auto.id: 0}, {}, None, world["teacher_tx1"])


def test_return_needs_feedback(client, teacher, attempt):
    response = _post(client, attempt, action="return", overall_feedback="  ")
    assert response.status_code == 422
    assert "Tell the student what to revise" in response.get_data(as_text=True)
    db.session.expire_all()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert _events("attempt.returned") == []


def test_returned_test_can_be_revised_and_handed_in_again(client, teacher, attempt):
    response = _post(client, attempt, action="return", overall_feedback="Show each step.")
    assert response.status_code == 302
    db.session.expire_all()
    progress = attempt.unit_progress
    assert attempt.status == AttemptStatus.RETURNED and progress.status == UnitStatus.RETURNED
    (event,) = _events("attempt.returned")
    assert event.reason == "Show each step." and event.actor_id == teacher.id
    # The student revises the open answer (automatic answers stay locked) and hands it in.
    save_response(attempt, open_item(progress), "First 6, then 6 more: 12.")
    submit_attempt(attempt, progress.enrollment.student.site_id)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert progress.status == UnitStatus.AWAITING_GRADING
    page = client.get("/grading/").get_data(as_text=True)
    assert f'data-attempt="{attempt.id}"' in page


def test_regrade_without_reason_is_refused(client, teacher, world, attempt, app):
    item = open_item(attempt.unit_progress)
    assert _post(client, attempt, action="grade", **{f"score-{item.id}": "0"}).status_code == 302
    with app.test_request_context(), pytest.raises(GradingError, match="reason"):
        regrade_attempt(attempt, {item.id: 2}, teacher, "   ")
    response = _post(client, attempt, action="regrade", reason="", **{f"score-{item.id}": "2"})
    assert response.status_code == 422
    assert "Give the reason for the regrade." in response.get_data(as_text=True)
    db.session.expire_all()
    assert attempt.percent == 50.0 and _events("attempt.regraded") == []


def test_regrade_with_reason_changes_best_score_and_keeps_before_after(
    client, teacher, world, attempt
):
    progress = attempt.unit_progress
    item = open_item(progress)
    grade_attempt(attempt, {item.id: "0"}, {}, None, teacher)
    assert progress.status == UnitStatus.FAILED and progress.best_test_percent == 50.0
    response = _post(
        client,
        attempt,
        action="regrade",
        reason="Misread the working.",
        **{f"score-{item.id}": "2"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert attempt.percent == 100.0
    assert progress.best_test_percent == 100.0 and progress.status == UnitStatus.PASSED
    (event,) = _events("attempt.regraded")
    assert event.reason == "Misread the working." and event.actor_id == teacher.id
    assert event.data["items"] == {str(item.id): {"before": 0.0, "after": 2.0}}
    assert (event.data["percent_before"], event.data["percent_after"]) == (50.0, 100.0)
    page = client.get(f"/grading/attempts/{attempt.id}").get_data(as_text=True)
    assert "Misread the working." in page and "Question 3: 0 → 2 points" in page
    assert "Regraded" in page and teacher.full_name in page


def test_regrade_that_changes_nothing_is_refused(world, attempt, in_request):
    item = open_item(attempt.unit_progress)
    grade_attempt(attempt, {item.id: "2"}, {}, None, world["teacher_tx1"])
    with pytest.raises(GradingError, match="No score was changed"):
        regrade_attempt(attempt, {item.id: "2"}, world["teacher_tx1"], "Check")


def test_another_sites_teacher_cannot_grade(client, auth, world, attempt):
    item = open_item(attempt.unit_progress)
    auth.login(world["teacher_tx2"])
    response = _post(client, attempt, action="grade", **{f"score-{item.id}": "2"})
    assert response.status_code == 403
    db.session.expire_all()
    assert attempt.status == AttemptStatus.SUBMITTED
