"""Paper mode: scores from a paper packet become graded PAPER attempts within the try limit."""

from datetime import date, timedelta

import pytest

from app.audit.models import AuditEvent
from app.courses.models import Section
from app.enrollments.models import UnitStatus
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus, Mode
from tests import factories


@pytest.fixture
def progress(world, auth):
    progress = factories.make_enrollment(world["student_tx1"], world["course"]).units[0]
    auth.login(world["teacher_tx1"])  # after the data: the sign-in commits it
    return progress


def _paper(client, progress, **data):
    data.setdefault("taken_on", (date.today() - timedelta(days=3)).isoformat())
    return client.post(f"/grading/units/{progress.id}/paper", data=data)


def _attempts(progress, section=None):
    query = db.session.query(Attempt).filter_by(unit_progress_id=progress.id)
    if section:
        query = query.filter_by(section=section)
    return query.order_by(Attempt.section, Attempt.number).all()


def test_paper_scores_create_graded_paper_attempts(client, world, progress):
    response = _paper(
        client, progress, work_percent="88", test_percent="71,5", feedback="Summer packet."
    )
    assert response.status_code == 302
    db.session.expire_all()
    work, test = _attempts(progress)
    assert (work.section, test.section) == (Section.PRACTICE, Section.TEST)
    for attempt in (work, test):
        assert attempt.mode == Mode.PAPER and attempt.status == AttemptStatus.GRADED
        assert attempt.graded_by_id == world["teacher_tx1"].id and attempt.number == 1
        assert attempt.submitted_at.date() == date.today() - timedelta(days=3)
    assert (work.percent, test.percent) == (88.0, 71.5)
    assert progress.status == UnitStatus.PASSED and progress.best_test_percent == 71.5
    assert progress.work_percent == 88.0 and progress.test_attempts == 1
    events = db.session.query(AuditEvent).filter_by(action="paper_scores.recorded").all()
    assert {e.object_id for e in events} == {work.id, test.id}
    page = client.get(f"/grading/units/{progress.id}/paper").get_data(as_text=True)
    assert "Paper packet" in page and "71.5 %" in page


def test_points_of_points_are_converted(client, progress):
    assert _paper(client, progress, test_points="9", test_possible="20").status_code == 302
    db.session.expire_all()
    (test,) = _attempts(progress)
    assert test.percent == 45.0 and progress.status == UnitStatus.FAILED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"test_percent": "101"}, "The percent must be a number from 0 to 100."),
        ({"work_percent": "abc"}, "The percent must be a number from 0 to 100."),
        ({"test_points": "21", "test_possible": "20"}, "from 0 to the points possible"),
        ({"test_points": "5"}, "Enter the points possible"),
        ({"test_percent": "80", "test_points": "5", "test_possible": "10"}, "not both"),
        ({}, "Enter the unit-work score, the unit-test score, or both."),
        ({"test_percent": "80", "taken_on": "tomorrow"}, "The date taken cannot be in the future."),
    ],
)
def test_bad_paper_scores_are_refused(client, progress, data, message):
    if data.get("taken_on") == "tomorrow":  # today's date when the test runs, not when collected
        data = {**data, "taken_on": (date.today() + timedelta(days=1)).isoformat()}
    response = _paper(client, progress, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _attempts(progress) == []


def test_paper_tests_respect_the_attempt_limit(client, progress):
    assert _paper(client, progress, test_percent="40").status_code == 302
    assert _paper(client, progress, test_percent="50").status_code == 302
    third = _paper(client, progress, test_percent="95")
    assert third.status_code == 422
    assert "no unit-test try left (2 tries at most)" in third.get_data(as_text=True)
    db.session.expire_all()
    assert [a.number for a in _attempts(progress, Section.TEST)] == [1, 2]
    assert progress.status == UnitStatus.FAILED and progress.best_test_percent == 50.0
    # Unit work has no try limit.
    assert _paper(client, progress, work_percent="90").status_code == 302


def test_paper_test_counts_after_an_online_try(client, world, progress):
    online = factories.make_submitted_test(
        progress, ("a", "7", "")
    )  # all wrong, nothing left to grade
    assert online.status == AttemptStatus.GRADED and progress.status == UnitStatus.FAILED
    assert _paper(client, progress, test_percent="64").status_code == 302
    db.session.expire_all()
    assert [a.mode for a in _attempts(progress, Section.TEST)] == [Mode.ONLINE, Mode.PAPER]
    assert progress.status == UnitStatus.PASSED and progress.test_attempts == 2


def test_paper_test_waits_for_an_open_online_test(client, progress):
    factories.make_submitted_test(progress)  # waiting for grading
    response = _paper(client, progress, test_percent="80")
    assert response.status_code == 422
    assert "still open or waiting for grading" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("user", "code"),
    [("teacher_tx2", 403), ("coord_nd", 403), ("student_tx1", 403), ("coord_tx", 200)],
)
def test_paper_page_checks_scope(client, auth, world, user, code):
    progress = factories.make_enrollment(world["student_tx1"], world["course"]).units[0]
    person = world[user]
    auth.login(getattr(person, "user", None) or person)
    assert client.get(f"/grading/units/{progress.id}/paper").status_code == code
    response = _paper(client, progress, test_percent="90")
    assert response.status_code == (302 if code == 200 else code)
