"""The grading queue: who sees what, oldest first, filters, and a fixed number of queries."""

import re
from datetime import timedelta

import pytest

from app.common import utcnow
from app.extensions import db
from tests import factories
from tests.query_counter import count_queries, rendering


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
        db.session.commit()  # the test's rows, not the page's work: a commit counts their sites

    add(2)
    with count_queries() as few:
        response = client.get("/grading/")
    assert len(_rows(response)) == 2
    add(10)
    with count_queries() as many:
        response = client.get("/grading/")
    assert len(_rows(response)) == 12
    assert len(few) > 3  # the counter sees the page's queries
    assert len(rendering(many)) == len(few), "\n".join(many)


def _statements_selecting(statements: list[str], what: str) -> list[str]:
    flat = [" ".join(s.split()) for s in statements]
    return [s for s in flat if s.upper().startswith(f"SELECT {what}".upper())]


def test_the_queue_pages_on_the_attempt_table_alone(client, auth, world):
    """The page's ids come from one indexed table (no join for PostgreSQL to re-plan), then its
    rows load by primary key; a filter on the student joins only what it needs."""
    for _ in range(3):
        _queued(world, "tx2")
    auth.login(world["coord_tx"])
    with count_queries() as statements:
        response = client.get("/grading/")
    assert len(_rows(response)) == 3
    (keys,) = _statements_selecting(statements, "attempt.id FROM attempt")
    assert " JOIN " not in keys.upper() and "ORDER BY attempt.submitted_at" in keys
    # The sites of the scope are plain values, not a subquery joined to every row.
    assert "SELECT site" not in keys.upper().split("FROM ATTEMPT", 1)[1]
    with count_queries() as statements:
        client.get("/grading/?q=ana")
    (keys,) = _statements_selecting(statements, "attempt.id FROM attempt")
    assert "JOIN student" in keys and "JOIN site" not in keys and "course_version" not in keys


def test_a_full_queue_page_counts_up_to_the_cap_and_says_more_than(
    app, client, auth, world, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 3)
    now = utcnow()
    ids = [_queued(world, "tx1", submitted_at=now - timedelta(hours=9 - i)).id for i in range(5)]
    auth.login(world["teacher_tx1"])
    with count_queries() as first:
        page = client.get("/grading/").get_data(as_text=True)
    assert _rows_of(page) == ids[:2]
    assert "More than 3 tests" in page and "Page 1 of more than 2" in page
    assert len(_statements_selecting(first, "count(*)")) == 1  # the capped count
    last = client.get("/grading/?page=3").get_data(as_text=True)
    assert _rows_of(last) == ids[4:]
    assert "5 tests" in last and "Page 3 of 3" in last and 'rel="next"' not in last
    with count_queries() as short:
        page = client.get("/grading/?course=999999").get_data(as_text=True)
    assert "0 tests" in page
    # A page that shows the end of the list knows its total: no count is run.
    assert _statements_selecting(short, "count(*)") == []
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 1000)
    page = client.get("/grading/?page=2").get_data(as_text=True)
    assert _rows_of(page) == ids[2:4] and "5 tests" in page and "Page 2 of 3" in page


def _rows_of(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-attempt="(\d+)"', page)]


def test_a_page_past_the_end_shows_the_last_page(client, auth, world):
    """A link out of date or a number typed by hand: the list's last page, with its total,
    never an empty page that says there is one test."""
    attempt = _queued(world, "tx1")
    auth.login(world["teacher_tx1"])
    page = client.get("/grading/?page=7").get_data(as_text=True)
    assert _rows_of(page) == [attempt.id] and "1 test" in page
    assert _rows_of(client.get("/grading/?page=-3").get_data(as_text=True)) != []


def test_the_spanish_queue_says_grade_as_a_verb(client, auth, world):
    """ "Grade" is a noun on other pages ("Calificación"); the queue's button is the verb, and
    a site ("sede") is feminine: every site is "Todas"."""
    attempt = _queued(world, "tx1")
    auth.login(world["coord_tx"])
    page = client.get("/grading/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert f'/grading/attempts/{attempt.id}">Calificar</a>' in page
    assert '<option value="">Todas</option>' in page
