"""A student's unit work: lessons, practice with autosave, unit tests, approval and retakes."""

from datetime import timedelta

import pytest

from app.common import utcnow
from app.enrollments.models import EnrollmentStatus, UnitStatus
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from app.learning.scoring import finalize_attempt
from app.learning.services import approve_unit_test
from tests import factories


@pytest.fixture
def enrolled(world):
    student = world["student_tx1"]
    enrollment = factories.make_enrollment(student, world["course"], by=world["teacher_tx1"])
    return student, enrollment, enrollment.units[0]


def items(progress, section):
    return {item.key: item for item in progress.unit.items_in(section)}


def start_test(client, progress):
    approve_unit_test(progress, factories.teacher_of(progress.enrollment.student))
    response = client.post(f"/learn/units/{progress.id}/test/start")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return (
        db.session.query(Attempt)
        .filter_by(unit_progress_id=progress.id, section="test")
        .order_by(Attempt.number.desc())
        .first()
    )


def test_dashboard_lists_courses_and_units(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    page = client.get("/learn/").get_data(as_text=True)
    assert "Course " in page and "0 of 5 units passed" in page
    assert f"/learn/units/{progress.id}" in page


def test_reading_a_lesson_starts_the_unit(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    page = client.get(f"/learn/units/{progress.id}/lessons/1").get_data(as_text=True)
    assert "<strong>this</strong>" in page
    assert progress.status == UnitStatus.NOT_STARTED  # showing a page changes nothing
    assert progress.lessons_read == 0
    response = client.post(f"/learn/units/{progress.id}/lessons/1/read")
    assert response.status_code == 302
    assert progress.status == UnitStatus.IN_PROGRESS
    assert progress.lessons_read == 1
    assert enrollment.started_at is not None
    assert client.get(f"/learn/units/{progress.id}/lessons/9").status_code == 404
    assert client.post(f"/learn/units/{progress.id}/lessons/9/read").status_code == 404


def test_practice_autosaves_and_scores_at_once(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    page = client.get(f"/learn/units/{progress.id}/practice").get_data(as_text=True)
    practice = db.session.query(Attempt).filter_by(unit_progress_id=progress.id, section="practice")
    assert practice.count() == 0  # showing the page makes nothing; the first answer does
    url = f"/learn/units/{progress.id}/practice/autosave"
    assert f'data-autosave="{url}"' in page
    p1 = items(progress, "practice")["p1"]
    wrong = client.post(url, json={"item_id": p1.id, "response": "a"})
    assert wrong.json["correct"] is False and wrong.json["work_percent"] == 0.0
    assert practice.count() == 1
    right = client.post(url, json={"item_id": p1.id, "response": "b"})
    assert right.json["correct"] is True and right.json["work_percent"] == 100.0
    assert progress.work_percent == 100.0


def test_test_needs_a_live_approval(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    response = client.post(f"/learn/units/{progress.id}/test/start", follow_redirects=True)
    assert "needs to approve" in response.get_data(as_text=True)
    progress.test_approved_at = utcnow() - timedelta(minutes=11)
    db.session.flush()
    response = client.post(f"/learn/units/{progress.id}/test/start", follow_redirects=True)
    assert "needs to approve" in response.get_data(as_text=True)
    assert db.session.query(Attempt).filter_by(unit_progress_id=progress.id).count() == 0


def test_answers_resume_on_another_device_and_score_on_hand_in(app, client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    attempt = start_test(client, progress)
    assert progress.test_approved_at is None  # the approval is used up
    test_items = items(progress, "test")
    for key, value in (("t1", "b"), ("t2", "12,0"), ("t3", "Because it balances.")):
        saved = client.post(
            f"/learn/attempts/{attempt.id}/autosave",
            json={"item_id": test_items[key].id, "response": value},
        )
        assert saved.json["saved"] is True and "correct" not in saved.json

    other_device = app.test_client()
    other_device.post("/login", data={"email": student.user.email, "password": factories.PASSWORD})
    page = other_device.get(f"/learn/units/{progress.id}/test").get_data(as_text=True)
    assert "Because it balances." in page and 'value="12,0"' in page

    response = other_device.post(f"/learn/attempts/{attempt.id}", data={"action": "hand_in"})
    assert response.status_code == 302
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.auto_points == 2.0 and attempt.max_points == 4.0
    assert progress.status == UnitStatus.AWAITING_GRADING
    result = other_device.get(f"/learn/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "2 of 2 points" in result
    late = client.post(
        f"/learn/attempts/{attempt.id}/autosave",
        json={"item_id": test_items["t1"].id, "response": "a"},
    )
    assert late.status_code == 409


def test_blank_items_score_zero_and_a_test_without_open_answers_is_final(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    attempt = start_test(client, progress)
    client.post(
        f"/learn/attempts/{attempt.id}/autosave",
        json={"item_id": items(progress, "test")["t1"].id, "response": "b"},
    )
    client.post(f"/learn/attempts/{attempt.id}", data={"action": "hand_in"})
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.percent == 25.0
    assert progress.status == UnitStatus.FAILED


def test_one_retake_and_best_score_counts(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    first = start_test(client, progress)
    client.post(f"/learn/attempts/{first.id}", data={"action": "hand_in"})
    assert first.percent == 0.0
    second = start_test(client, progress)
    assert second.number == 2
    form = {
        f"answer-{i.id}": v
        for i, v in zip(progress.unit.items_in("test"), ("b", "12", "x"), strict=True)
    }
    client.post(f"/learn/attempts/{second.id}", data={**form, "action": "hand_in"})
    assert second.status == AttemptStatus.SUBMITTED
    open_answer = next(a for a in second.answers if a.item.kind == "open")
    open_answer.points = 1.0
    finalize_attempt(second, None)
    assert second.percent == 75.0
    assert progress.best_test_percent == 75.0 and progress.status == UnitStatus.PASSED
    approve = client.post(f"/learn/units/{progress.id}/test/start", follow_redirects=True)
    assert "already passed" in approve.get_data(as_text=True)


def test_no_third_try(client, auth, enrolled):
    student, enrollment, progress = enrolled
    auth.login(student.user)
    for _ in range(2):
        attempt = start_test(client, progress)
        client.post(f"/learn/attempts/{attempt.id}", data={"action": "hand_in"})
    assert progress.test_attempts == 2
    with pytest.raises(Exception, match="all tries"):
        approve_unit_test(progress, factories.teacher_of(student))
    assert enrollment.status == EnrollmentStatus.ACTIVE


def test_students_cannot_reach_other_students_work(client, auth, world, enrolled):
    student, enrollment, progress = enrolled
    practice = factories.make_practice_attempt(progress)
    auth.login(world["student_tx2"].user)
    assert client.get(f"/learn/units/{progress.id}").status_code == 403
    assert client.get(f"/learn/enrollments/{enrollment.id}").status_code == 403
    item = progress.unit.items_in("practice")[0]
    response = client.post(
        f"/learn/attempts/{practice.id}/autosave", json={"item_id": item.id, "response": "b"}
    )
    assert response.status_code == 403
    assert practice.answers == []


def test_staff_approval_is_checked_at_the_object(client, auth, world, enrolled):
    student, enrollment, progress = enrolled
    auth.login(world["teacher_nd"])
    assert client.post(f"/learn/units/{progress.id}/approve").status_code == 403
    assert progress.test_approved_at is None
    auth.logout()
    auth.login(world["teacher_tx1"])
    response = client.post(f"/learn/units/{progress.id}/approve", data={"next": "/students/"})
    assert response.headers["Location"] == "/students/"
    assert progress.test_approved_at is not None
