"""The grading queue: who sees what, oldest first, filters, and a fixed number of queries."""

import re
from datetime import timedelta

import pytest

from app.common import utcnow
from app.extensions import db
from tests import factories
from tests.query_counter import count_queries


def _queued(world, key, **kw):
    """A test handed in by a new student at site `key`, waiting for grading."""
    student = factories.make_student(world[key])
    enrollment = factories.make_enrollment(student, world["course"])
    return factories.make_submitted_test(enrollment.units[0], **kw)


def _rows(response) -> list[int]:
    return [int(n) for n in re.findall(r'data-attempt="(\d+)"', response.get_data(as_text=True))]


@pytest.fixture
def queued(world):
    return {key: _queued(world, key) for key in ("tx1", "tx2", "nd")}


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("teacher_tx1", {"tx1"}),
        ("teacher_nd", {"nd"}),
        ("coord_tx1", {"tx1"}),
        ("coord_tx", {"tx1", "tx2"}),
        ("coord_nd", {"nd"}),
        ("admin", {"tx1", "tx2", "nd"}),
    ],
)
def test_queue_shows_only_attempts_in_scope(client, auth, world, queued, user, visible):
    auth.login(world[user])
    response = client.get("/grading/")
    assert response.status_code == 200
    assert set(_rows(response)) == {queued[key].id for key in visible}


def test_students_cannot_open_the_queue(client, auth, world, queued):
    auth.login(world["student_tx1"].user)
    assert client.get("/grading/").status_code == 403


@pytest.mark.parametrize(
    ("user", "code"), [("teacher_tx1", 403), ("coord_tx", 403), ("teacher_nd", 200), ("admin", 200)]
)
def test_grading_page_checks_the_student(client, auth, world, queued, user, code):
    auth.login(world[user])
    assert client.get(f"/grading/attempts/{queued['nd'].id}").status_code == code


def test_grading_page_of_a_missing_attempt_is_404(client, auth, world):
    auth.login(world["admin"])
    assert client.get("/grading/attempts/999999").status_code == 404


def test_oldest_hand_in_comes_first(client, auth, world):
    now = utcnow()
    newest = _queued(world, "tx1", submitted_at=now - timedelta(hours=1))
    oldest = _queued(world, "tx1", submitted_at=now - timedelta(days=3))
    middle = _queued(world, "tx1", submitted_at=now - timedelta(days=1))
    auth.login(world["teacher_tx1"])
    response = client.get("/grading/")
    assert _rows(response) == [oldest.id, middle.id, newest.id]
    assert "3 days" in response.get_data(as_text=True)  # the waiting time of the oldest


def test_filters_by_course_site_and_name(client, auth, world):
    other_course = factories.make_course_version()
    in_course = _queued(world, "tx1")
    other_student = factories.make_student(world["tx2"], given_name="Zoraida", family_name="Q")
    elsewhere = factories.make_submitted_test(
        factories.make_enrollment(other_student, other_course).units[0]
    )
    auth.login(world["coord_tx"])
    by_course = client.get(f"/grading/?course={other_course.course_id}")
    assert _rows(by_course) == [elsewhere.id]
    by_site = client.get(f"/grading/?site={world['tx1'].id}")
    assert _rows(by_site) == [in_course.id]
    by_name = client.get("/grading/?q=zorai")
    assert _rows(by_name) == [elsewhere.id]
    assert _rows(client.get("/grading/?q=%25")) == []  # a wildcard is searched literally


def test_returned_view_lists_returned_tests(client, auth, world):
    waiting = _queued(world, "tx1")
    returned = _queued(world, "tx1")
    auth.login(world["teacher_tx1"])
    response = client.post(
        f"/grading/attempts/{returned.id}",
        data={"action": "return", "overall_feedback": "Show your steps."},
    )
    assert response.status_code == 302
    assert _rows(client.get("/grading/")) == [waiting.id]
    assert _rows(client.get("/grading/?view=returned")) == [returned.id]


def test_queue_query_count_does_not_grow_with_rows(client, auth, world):
    auth.login(world["coord_tx"])

    def add(n):
        # Every row has its own site, student and course: a lazy load per row would show.
        for i in range(n):
            student = factories.make_student(factories.make_site("US-TX"))
            course = factories.make_course_version(units=3)
            factories.make_submitted_test(factories.make_enrollment(student, course).units[i % 3])
        db.session.expire_all()

    add(2)
    with count_queries() as few:
        response = client.get("/grading/")
    assert len(_rows(response)) == 2
    add(10)
    with count_queries() as many:
        response = client.get("/grading/")
    assert len(_rows(response)) == 12
    assert len(few) > 3  # the counter sees the page's queries
    assert len(many) == len(few), "\n".join(many)
