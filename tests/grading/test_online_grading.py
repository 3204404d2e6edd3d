"""Grading queue, online grading, returns, regrades and paper scores."""

from app.audit.models import AuditEvent
from app.enrollments.models import UnitStatus
from app.extensions import db
from app.learning.models import AttemptStatus, Mode
from app.learning.scoring import save_response, submit_attempt
from tests import factories
from tests.query_counter import count_queries, rendering


def queued(world, key="student_tx1", responses=("b", "12", "Because.")):
    student = world[key]
    enrollment = factories.make_enrollment(student, world["course"])
    return factories.make_submitted_test(enrollment.units[0], responses)


def open_item(attempt):
    return next(a.item for a in attempt.answers if a.item.kind == "open")


def test_queue_is_scoped_and_oldest_first(client, auth, world):
    newer = queued(world, "student_tx1")
    older = queued(world, "student_tx2")
    other_state = queued(world, "student_nd")
    older.submitted_at = newer.submitted_at.replace(year=2020)
    db.session.flush()
    auth.login(world["coord_tx"])
    page = client.get("/grading/").get_data(as_text=True)
    assert page.index(world["student_tx2"].full_name) < page.index(world["student_tx1"].full_name)
    assert world["student_nd"].full_name not in page
    auth.logout()
    auth.login(world["teacher_tx1"])
    page = client.get("/grading/").get_data(as_text=True)
    assert world["student_tx1"].full_name in page and world["student_tx2"].full_name not in page
    assert client.get(f"/grading/attempts/{other_state.id}").status_code == 403
    assert client.get(f"/grading/attempts/{newer.id}").status_code == 200


def test_queue_filters_by_student_name(client, auth, world):
    queued(world, "student_tx1")
    queued(world, "student_tx2")
    auth.login(world["admin"])
    page = client.get("/grading/", query_string={"q": world["student_tx2"].family_name}).get_data(
        as_text=True
    )
    assert world["student_tx2"].full_name in page and world["student_tx1"].full_name not in page


def test_queue_query_count_does_not_grow(client, auth, world):
    auth.login(world["admin"])

    def hand_in(n):
        # Each row its own site, student and course: a lazy load per row would add queries.
        for _ in range(n):
            student = factories.make_student(factories.make_site("US-TX"))
            course = factories.make_course_version(units=3)
            factories.make_submitted_test(factories.make_enrollment(student, course).units[0])
        db.session.expire_all()

    hand_in(2)
    with count_queries() as few:
        assert client.get("/grading/").status_code == 200
    hand_in(10)
    with count_queries() as many:
        page = client.get("/grading/").get_data(as_text=True)
    assert page.count('data-testid="queue-row"') == 12
    assert len(rendering(many)) == len(few), (len(few), len(many))


def test_grading_finalizes_and_passes_the_unit(client, auth, world):
    attempt = queued(world)
    item = open_item(attempt)
    auth.login(world["teacher_tx1"])
    response = client.post(
        f"/grading/attempts/{attempt.id}",
        data={
            "action": "grade",
            f"score-{item.id}": "2",
            f"feedback-{item.id}": "Good",
            "overall_feedback": "Well done",
        },
    )
    assert response.status_code == 302
    assert attempt.status == AttemptStatus.GRADED and attempt.percent == 100.0
    assert attempt.unit_progress.status == UnitStatus.PASSED
    event = (
        db.session.query(AuditEvent).filter_by(action="attempt.graded", object_id=attempt.id).one()
    )
    assert event.actor_id == world["teacher_tx1"].id and event.data["final"] is True


def test_invalid_scores_are_refused_and_nothing_saved(client, auth, world):
    attempt = queued(world)
    item = open_item(attempt)
    auth.login(world["teacher_tx1"])
    for bad in ("3", "-1", "lots"):
        response = client.post(
            f"/grading/attempts/{attempt.id}", data={"action": "grade", f"score-{item.id}": bad}
        )
        assert response.status_code == 422
        assert "Question 3: the score must be a number from 0 to 2" in response.get_data(
            as_text=True
        )
    assert attempt.status == AttemptStatus.SUBMITTED
    assert next(a for a in attempt.answers if a.item_id == item.id).points is None


def test_return_for_revision_then_resubmit(client, auth, world):
    attempt = queued(world)
    auth.login(world["teacher_tx1"])
    empty = client.post(
        f"/grading/attempts/{attempt.id}", data={"action": "return", "overall_feedback": " "}
    )
    assert empty.status_code == 422
    client.post(
        f"/grading/attempts/{attempt.id}",
        data={"action": "return", "overall_feedback": "Explain more"},
    )
    assert attempt.status == AttemptStatus.RETURNED
    assert attempt.unit_progress.status == UnitStatus.RETURNED
    save_response(attempt, open_item(attempt), "A longer explanation.")
    submit_attempt(attempt, attempt.unit_progress.enrollment.student.site_id)
    assert attempt.status == AttemptStatus.SUBMITTED


def test_regrade_needs_a_reason_and_is_audited(client, auth, world):
    attempt = queued(world)
    item = open_item(attempt)
    auth.login(world["teacher_tx1"])
    client.post(
        f"/grading/attempts/{attempt.id}", data={"action": "grade", f"score-{item.id}": "0"}
    )
    assert attempt.percent == 50.0 and attempt.unit_progress.status == UnitStatus.FAILED
    refused = client.post(
        f"/grading/attempts/{attempt.id}", data={"action": "regrade", f"score-{item.id}": "2"}
    )
    assert refused.status_code == 422 and attempt.percent == 50.0
    client.post(
        f"/grading/attempts/{attempt.id}",
        data={"action": "regrade", f"score-{item.id}": "2", "reason": "Misread the answer"},
    )
    assert attempt.percent == 100.0
    assert attempt.unit_progress.best_test_percent == 100.0
    assert attempt.unit_progress.status == UnitStatus.PASSED
    event = db.session.query(AuditEvent).filter_by(action="attempt.regraded").one()
    assert event.reason == "Misread the answer"
    assert event.data["items"][str(item.id)] == {"before": 0.0, "after": 2.0}
    page = client.get(f"/grading/attempts/{attempt.id}").get_data(as_text=True)
    assert "Misread the answer" in page


def test_paper_scores_are_recorded_as_paper(client, auth, world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    progress = enrollment.units[0]
    auth.login(world["teacher_tx1"])
    bad = client.post(f"/grading/units/{progress.id}/paper", data={"test_percent": "120"})
    assert bad.status_code == 422
    response = client.post(
        f"/grading/units/{progress.id}/paper",
        data={"work_percent": "80", "test_percent": "72.5", "taken_on": "2026-10-01"},
    )
    assert response.status_code == 302
    assert progress.status == UnitStatus.PASSED and progress.best_test_percent == 72.5
    assert progress.work_percent == 80.0
    modes = {
        a.mode for a in db.session.query(factories.Attempt).filter_by(unit_progress_id=progress.id)
    }
    assert modes == {Mode.PAPER}
    client.post(f"/grading/units/{progress.id}/paper", data={"test_percent": "50"})
    third = client.post(f"/grading/units/{progress.id}/paper", data={"test_percent": "90"})
    assert third.status_code == 422 and "no unit-test try left" in third.get_data(as_text=True)
    assert progress.best_test_percent == 72.5


def test_paper_scores_out_of_scope(client, auth, world):
    progress = factories.make_enrollment(world["student_tx1"], world["course"]).units[0]
    auth.login(world["teacher_nd"])
    assert (
        client.post(f"/grading/units/{progress.id}/paper", data={"test_percent": "90"}).status_code
        == 403
    )
    assert progress.test_attempts == 0
