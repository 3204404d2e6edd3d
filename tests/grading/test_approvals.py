"""A student asks for a unit-test approval; the teacher sees it queued, approves it, and sees
the approval's state (until when, expired) in their own language and time zone."""

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEvent
from app.common import utcnow
from app.extensions import db
from app.learning.approvals import request_approval
from app.learning.models import ApprovalRequest
from app.learning.services import LearningError, approve_unit_test
from tests import factories
from tests.query_counter import count_queries


@pytest.fixture
def progress(world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    return enrollment.units[0]


def _open_requests(progress) -> list[ApprovalRequest]:
    return db.session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.unit_progress_id == progress.id, ApprovalRequest.resolved_at.is_(None)
        )
    ).all()


def _rows(response) -> int:
    return len(re.findall(r'data-testid="approval-row"', response.get_data(as_text=True)))


def test_asking_puts_one_request_in_the_teachers_queue(client, auth, world, progress):
    auth.login(world["student_tx1"].user)
    page = client.get(f"/learn/units/{progress.id}").get_data(as_text=True)
    assert "Ask my teacher for approval" in page
    assert client.post(f"/learn/units/{progress.id}/ask-approval").status_code == 302
    again = client.post(f"/learn/units/{progress.id}/ask-approval", follow_redirects=True)
    assert "You already asked your teacher" in again.get_data(as_text=True)
    assert "The request is waiting" in again.get_data(as_text=True)
    assert len(_open_requests(progress)) == 1
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "unit_test.approval_requested")
    ).all()
    assert [(e.object_id, e.student_id) for e in events] == [(progress.id, world["student_tx1"].id)]

    auth.logout()
    auth.login(world["teacher_tx1"])
    assert "1 student asks you to approve a unit test." in client.get("/grading/").text
    queue = client.get("/grading/approvals")
    assert _rows(queue) == 1 and "Asks for approval" in queue.get_data(as_text=True)
    auth.logout()
    auth.login(world["teacher_tx2"])  # another site's teacher sees nothing of it
    assert _rows(client.get("/grading/approvals")) == 0
    auth.logout()
    auth.login(world["coord_tx"])
    assert _rows(client.get("/grading/approvals")) == 1

    auth.logout()
    auth.login(world["teacher_tx1"])
    approved = client.post(
        f"/learn/units/{progress.id}/approve", data={"next": "/grading/approvals"}
    )
    assert approved.headers["Location"].endswith("/grading/approvals")
    assert _open_requests(progress) == []
    assert _rows(client.get("/grading/approvals")) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_test.approved"))
    assert event.data["answered_request"] is True


def test_the_database_keeps_one_open_request_per_unit(world, progress):
    student = world["student_tx1"].user
    db.session.add(ApprovalRequest(unit_progress_id=progress.id, requested_by_id=student.id))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(ApprovalRequest(unit_progress_id=progress.id, requested_by_id=student.id))
        db.session.flush()
    # a resolved request does not count: the student may ask again after an approval expires
    first = _open_requests(progress)[0]
    first.resolved_at = utcnow()
    db.session.add(ApprovalRequest(unit_progress_id=progress.id, requested_by_id=student.id))
    db.session.flush()
    assert len(_open_requests(progress)) == 1


def test_a_live_approval_or_a_passed_unit_cannot_be_asked_for(world, progress):
    approve_unit_test(progress, world["teacher_tx1"])
    with pytest.raises(LearningError, match="already approved"):
        request_approval(progress, world["student_tx1"].user)
    other = progress.enrollment.units[1]
    factories.pass_unit(other)
    with pytest.raises(LearningError, match="already passed"):
        request_approval(other, world["student_tx1"].user)
    assert _open_requests(progress) == [] and _open_requests(other) == []


def test_another_students_unit_cannot_be_asked_for(client, auth, world, progress):
    auth.login(world["student_tx2"].user)
    assert client.post(f"/learn/units/{progress.id}/ask-approval").status_code == 403
    assert _open_requests(progress) == []


def test_asking_needs_the_pages_csrf_token(client, auth, world, progress, app):
    auth.login(world["student_tx1"].user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get(f"/learn/units/{progress.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
        assert client.post(f"/learn/units/{progress.id}/ask-approval").status_code == 400
        assert _open_requests(progress) == []
        response = client.post(
            f"/learn/units/{progress.id}/ask-approval", data={"csrf_token": token}
        )
        assert response.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert len(_open_requests(progress)) == 1


def _clock(moment, zone: str, pattern: str) -> str:
    text = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).strftime(pattern)
    return (
        text[1:] if text[0] == "0" and text[1].isdigit() else text
    )  # "09:05" "9:05", "00:49" "0:49"


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).replace("\u202f", " ").split())


@pytest.mark.parametrize(
    ("locale", "label", "pattern"),
    [("en", "Approved until", "%I:%M %p"), ("es", "Aprobado hasta las", "%H:%M")],
)
def test_the_teacher_sees_until_when_in_their_zone_and_language(
    client, auth, world, progress, locale, label, pattern
):
    approve_unit_test(progress, world["teacher_tx1"])
    until = progress.test_approved_at + timedelta(minutes=10)
    auth.login(world["teacher_tx1"])  # a Texas site: Central time
    client.post("/language", data={"locale": locale})
    expected = f"{label} {_clock(until, 'America/Chicago', pattern)}"
    assert expected in _text(client.get("/grading/gradebook"))
    assert expected in _text(client.get(f"/students/{world['student_tx1'].id}"))


def test_an_unused_approval_shows_as_expired(client, auth, world, progress):
    approve_unit_test(progress, world["teacher_tx1"])
    progress.test_approved_at = utcnow() - timedelta(minutes=30)
    db.session.flush()
    auth.login(world["teacher_tx1"])
    expired_at = _clock(
        progress.test_approved_at + timedelta(minutes=10), "America/Chicago", "%I:%M %p"
    )
    assert f"Approval expired at {expired_at}" in _text(client.get("/grading/gradebook"))


def test_approval_queue_query_count_does_not_grow_with_rows(client, auth, world):
    auth.login(world["coord_tx"])

    def add(n):
        # Every row has its own site, student and course: a lazy load per row would show.
        for _ in range(n):
            student = factories.make_student(factories.make_site("US-TX"))
            course = factories.make_course_version(units=2)
            request_approval(factories.make_enrollment(student, course).units[0], student.user)
        db.session.expire_all()

    add(2)
    with count_queries() as few:
        response = client.get("/grading/approvals")
    assert _rows(response) == 2
    add(8)
    with count_queries() as many:
        response = client.get("/grading/approvals")
    assert _rows(response) == 10
    assert len(many) == len(few), many
