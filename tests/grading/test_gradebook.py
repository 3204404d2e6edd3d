"""The gradebook: who sees which students, what each cell says, search, pages and queries."""

import re

import pytest

from app.enrollments.models import Enrollment
from app.extensions import db
from app.learning.models import AttemptStatus
from app.learning.scoring import finalize_attempt
from app.learning.services import approve_unit_test
from app.users.models import Role
from tests import factories
from tests.query_counter import count_queries, rendering


def _students(response) -> list[int]:
    return [int(n) for n in re.findall(r'data-student="(\d+)"', response.get_data(as_text=True))]


def _enrolled(world, key, **kw):
    student = factories.make_student(world[key], **kw)
    factories.make_enrollment(student, world["course"])
    return student


@pytest.fixture
def enrolled(world):
    return {key: _enrolled(world, key) for key in ("tx1", "tx2", "nd")}


@pytest.mark.parametrize(
    ("user", "visible"),
    [
        ("teacher_tx1", {"tx1"}),
        ("teacher_tx2", {"tx2"}),
        ("teacher_nd", {"nd"}),
        ("coord_tx1", {"tx1"}),
        ("coord_tx", {"tx1", "tx2"}),
        ("coord_nd", {"nd"}),
        ("admin", {"tx1", "tx2", "nd"}),
    ],
)
def test_gradebook_shows_only_students_in_scope(client, auth, world, enrolled, user, visible):
    auth.login(world[user])
    response = client.get("/grading/gradebook")
    assert response.status_code == 200
    # world's own student at each site takes no course: listed too, with no course in progress
    expected = {enrolled[key].id for key in visible} | {
        world[f"student_{key}"].id for key in visible
    }
    assert set(_students(response)) == expected


def test_a_student_with_no_course_has_a_row_saying_so(client, auth, world, enrolled):
    auth.login(world["teacher_tx1"])
    html = client.get("/grading/gradebook").get_data(as_text=True)
    row = re.search(rf'data-student="{world["student_tx1"].id}">(.*?)</tr>', html, re.S)[1]
    assert "No course in progress." in row and 'data-testid="cell"' not in row


def test_a_site_filter_outside_the_scope_shows_nobody(client, auth, world, enrolled):
    auth.login(world["teacher_tx1"])
    assert _students(client.get(f"/grading/gradebook?site={world['nd'].id}")) == []


def test_students_cannot_open_the_gradebook(client, auth, world):
    auth.login(world["student_tx1"].user)
    assert client.get("/grading/gradebook").status_code == 403
    assert client.get("/grading/approvals").status_code == 403


def test_each_cell_has_status_best_score_and_the_test_to_open(client, auth, world):
    student = _enrolled(world, "tx1", given_name="Rosa", family_name="Campos")
    enrollment = student_enrollment(student)
    unit1, unit2 = enrollment.units[0], enrollment.units[1]
    failed = factories.make_submitted_test(unit1, responses=("a", "1", "x"))
    for answer in failed.answers:
        if answer.points is None:
            answer.points = 0
    finalize_attempt(failed, world["teacher_tx1"])
    best = factories.pass_unit(unit1)
    waiting = factories.make_submitted_test(unit2)
    auth.login(world["teacher_tx1"])
    html = client.get("/grading/gradebook").get_data(as_text=True)
    cells = dict(re.findall(r'data-unit="(\d)">(.*?)</td>', html, re.S))
    assert "Passed" in cells["1"] and "100.0 %" in cells["1"]
    assert f"/grading/attempts/{best.id}" in cells["1"]  # the best try, not the failed one
    assert f"/grading/attempts/{failed.id}" not in cells["1"]
    assert "Awaiting grading" in cells["2"] and f"/grading/attempts/{waiting.id}" in cells["2"]
    assert "Not started" in cells["3"] and "/grading/attempts/" not in cells["3"]
    assert waiting.status == AttemptStatus.SUBMITTED


def student_enrollment(student):
    return db.session.query(Enrollment).filter_by(student_id=student.id).one()


def test_gradebook_filters_by_course(client, auth, world):
    other = factories.make_course_version(units=3)
    in_course = _enrolled(world, "tx1")
    elsewhere = factories.make_student(world["tx1"])
    factories.make_enrollment(elsewhere, other)
    auth.login(world["teacher_tx1"])
    assert _students(client.get(f"/grading/gradebook?course={other.course_id}")) == [elsewhere.id]
    assert in_course.id in _students(client.get("/grading/gradebook"))


@pytest.mark.parametrize(
    ("stored", "query"),
    [("García", "Garcia"), ("GARCIA", "garcía"), ("Núñez", "NUNEZ"), ("Peña", "pena")],
)
def test_search_ignores_accents_and_case(client, auth, world, stored, query):
    found = _enrolled(world, "tx1", given_name="Luz", family_name=stored)
    _enrolled(world, "tx1", given_name="Luz", family_name="Ortiz")
    auth.login(world["teacher_tx1"])
    assert _students(client.get(f"/grading/gradebook?q={query}")) == [found.id]
    # The student list and the grading queue search the same stored, folded name.
    listed = client.get(f"/students/?q={query}").get_data(as_text=True)
    assert set(map(int, re.findall(r'href="/students/(\d+)"', listed))) == {found.id}


def test_gradebook_is_paginated(client, auth, world, app):
    for _ in range(app.config["PAGE_SIZE"] + 2):
        _enrolled(world, "tx1")
    auth.login(world["teacher_tx1"])
    first = client.get("/grading/gradebook")
    second = client.get("/grading/gradebook?page=2")
    assert len(_students(first)) == app.config["PAGE_SIZE"]
    assert len(_students(second)) == 3  # with world's student at tx1
    assert not set(_students(first)) & set(_students(second))


def test_gradebook_query_count_does_not_grow_with_rows(client, auth, world):
    auth.login(world["coord_tx"])

    def add(n):
        # Every row has its own site, student and course, a graded test, one waiting and an
        # approval: a lazy load per row or per cell would show.
        for _ in range(n):
            site = factories.make_site("US-TX")
            teacher = factories.make_user(Role.TEACHER, site)
            student = factories.make_student(site)
            enrollment = factories.make_enrollment(student, factories.make_course_version(units=3))
            factories.pass_unit(enrollment.units[0])
            factories.make_submitted_test(enrollment.units[1])
            approve_unit_test(enrollment.units[2], teacher)
        db.session.commit()  # the test's rows, not the page's work: a commit counts their sites

    add(2)
    with count_queries() as few:
        response = client.get("/grading/gradebook")
    assert len(_students(response)) == 2 + 2  # and world's students at tx1 and tx2
    add(8)
    with count_queries() as many:
        response = client.get("/grading/gradebook")
    assert len(_students(response)) == 10 + 2
    assert len(rendering(many)) == len(few), many
