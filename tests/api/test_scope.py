"""Who sees what: the web UI's scopes, as a truth table over make_world's roles."""

import pytest

from tests import factories
from tests.api.helpers import api_get

STUDENTS = ("student_tx1", "student_tx2", "student_nd")
# viewer -> the students they may see
VISIBLE = {
    "admin": {"student_tx1", "student_tx2", "student_nd"},
    "coord_tx": {"student_tx1", "student_tx2"},
    "coord_tx1": {"student_tx1"},
    "coord_nd": {"student_nd"},
    "teacher_tx1": {"student_tx1"},
    "teacher_tx2": {"student_tx2"},
    "teacher_nd": {"student_nd"},
    "student_tx1": {"student_tx1"},
    "student_nd": {"student_nd"},
}


def viewer(world, key):
    return world[key].user if key.startswith("student_") else world[key]


@pytest.fixture
def enrolled(world):
    """One enrollment per world student, with a graded unit 1 test."""
    enrollments = {}
    for key in STUDENTS:
        enrollment = factories.make_enrollment(world[key], world["course"])
        factories.pass_unit(enrollment.units[0])
        enrollments[key] = enrollment
    return enrollments


@pytest.mark.parametrize("viewer_key", VISIBLE)
@pytest.mark.parametrize("student_key", STUDENTS)
def test_student_detail_truth_table(client, world, viewer_key, student_key):
    student = world[student_key]
    response = api_get(client, f"/api/v1/students/{student.id}", viewer(world, viewer_key))
    if student_key in VISIBLE[viewer_key]:
        assert response.status_code == 200
        assert response.json["id"] == student.id
        assert response.json["site"]["code"] == student.site.code
    else:
        # Out of scope looks exactly like missing: no data, no hint it exists.
        assert response.status_code == 404
        assert set(response.json) == {"code", "status", "message"}


@pytest.mark.parametrize("viewer_key", VISIBLE)
def test_student_list_is_scoped(client, world, viewer_key):
    response = api_get(client, "/api/v1/students", viewer(world, viewer_key))
    assert response.status_code == 200
    ids = {row["id"] for row in response.json}
    assert ids == {world[key].id for key in VISIBLE[viewer_key]}


@pytest.mark.parametrize("viewer_key", VISIBLE)
def test_enrollment_endpoints_are_scoped(client, world, enrolled, viewer_key):
    user = viewer(world, viewer_key)
    listed = api_get(client, "/api/v1/enrollments", user)
    assert {row["id"] for row in listed.json} == {enrolled[k].id for k in VISIBLE[viewer_key]}
    for student_key, enrollment in enrolled.items():
        expected = 200 if student_key in VISIBLE[viewer_key] else 404
        for suffix in ("", "/attempts", "/result"):
            response = api_get(client, f"/api/v1/enrollments/{enrollment.id}{suffix}", user)
            assert response.status_code == expected, (student_key, suffix)


def test_student_filter_cannot_widen_scope(client, world, enrolled):
    other = world["student_tx2"]
    response = api_get(client, "/api/v1/enrollments", world["teacher_tx1"], student_id=other.id)
    assert response.status_code == 200 and response.json == []
    response = api_get(client, "/api/v1/students", world["teacher_tx1"], site=world["tx2"].code)
    assert response.status_code == 200 and response.json == []


def test_missing_records_are_404(client, world):
    for path in (
        "/api/v1/students/999999",
        "/api/v1/enrollments/999999",
        "/api/v1/enrollments/999999/result",
        "/api/v1/courses/999999",
    ):
        response = api_get(client, path, world["admin"])
        assert response.status_code == 404 and response.json["code"] == 404, path


def test_courses_are_open_to_every_token(client, world):
    for key in ("student_nd", "teacher_tx1", "coord_nd"):
        response = api_get(client, "/api/v1/courses", viewer(world, key))
        assert response.status_code == 200
        assert world["course"].id in {row["id"] for row in response.json}
