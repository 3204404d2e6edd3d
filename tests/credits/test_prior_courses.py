"""Prior Mexican courses: the placement suggestion, entering and deleting them, audit, scope."""

import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.credits.models import PriorCourse
from app.extensions import db
from app.prior_courses.services import (
    PlacementError,
    overall_placement,
    suggest_placement,
)
from app.users.models import Role
from tests import factories

COURSE = {
    "subject": "Matemáticas III",
    "level": "secundaria",
    "year": "3",
    "sep_grade": "8.4",
    "school": "Secundaria Técnica 24",
    "state_code": "MX-MIC",
    "school_year": "2023-2024",
}


def test_placement_figures():
    math = suggest_placement("secundaria", 3, 8.4)
    assert (math.us_grade, math.percent, math.letter, math.passed, math.credit) == (
        9,
        84.0,
        "B",
        True,
        0.5,
    )
    assert suggest_placement("bachillerato", 3, 9.5).us_grade == 11
    assert suggest_placement("primaria", 6, 6.0).letter == "D"
    failed = suggest_placement("bachillerato", 1, 5.0)
    assert (failed.passed, failed.letter, failed.credit, failed.percent) == (False, "F", 0.0, 50.0)
    # California counts 10 credits a Carnegie unit: a passed semester course suggests 5.
    california = suggest_placement("bachillerato", 2, 7.0, "US-CA")
    assert (california.credit, california.credit_system) == (5.0, "california")
    assert suggest_placement("bachillerato", 2, 5.9, "US-CA").credit == 0.0


@pytest.mark.parametrize(
    ("level", "year", "sep", "message"),
    [
        ("universidad", 1, 8.0, "Choose the Mexican level and the year or semester."),
        ("secundaria", None, 8.0, "Choose the Mexican level and the year or semester."),
        ("secundaria", 4, 8.0, "That year or semester does not exist at this level."),
        ("bachillerato", 7, 8.0, "That year or semester does not exist at this level."),
        ("secundaria", 2, 10.5, "The SEP grade must be a number from 0 to 10."),
        ("secundaria", 2, -1.0, "The SEP grade must be a number from 0 to 10."),
        ("secundaria", 2, float("nan"), "The SEP grade must be a number from 0 to 10."),
    ],
)
def test_placement_refuses_what_cannot_be_placed(app, level, year, sep, message):
    with app.test_request_context(), pytest.raises(PlacementError, match=re.escape(message)):
        suggest_placement(level, year, sep)


def prior(level, year, sep):
    return PriorCourse(subject="x", level=level, year=year, sep_grade=sep)


def test_overall_placement_is_the_grade_after_the_highest_passed():
    assert overall_placement([]) is None
    assert overall_placement([prior("secundaria", 3, 5.0)]) is None  # nothing passed
    after_secundaria = overall_placement(
        [prior("primaria", 6, 9.0), prior("secundaria", 3, 7.0), prior("secundaria", 2, 9.0)]
    )
    assert (after_secundaria.level, after_secundaria.year) == ("secundaria", 3)
    assert (after_secundaria.completed_grade, after_secundaria.suggested_grade) == (9, 10)
    # A failed higher course does not count.
    assert (
        overall_placement(
            [prior("secundaria", 2, 8.0), prior("secundaria", 3, 5.0)]
        ).suggested_grade
        == 9
    )
    # The first semester of a pair keeps the student in that US grade.
    assert overall_placement([prior("bachillerato", 1, 8.0)]).suggested_grade == 10
    assert overall_placement([prior("bachillerato", 2, 8.0)]).suggested_grade == 11
    done = overall_placement([prior("bachillerato", 6, 8.0)])
    assert done.completed_grade == 12 and done.suggested_grade is None


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(PriorCourse))


def events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_coordinator_enters_a_course_and_the_record_suggests_placement(world, auth, client):
    student = world["student_tx1"]
    auth.login(world["coord_tx"])
    response = client.post(f"/credits/students/{student.id}/prior-courses", data=COURSE)
    assert response.status_code == 302
    course = db.session.scalar(select(PriorCourse))
    assert (
        course.subject,
        course.level,
        course.year,
        course.sep_grade,
        course.state_code,
        course.school_year,
        course.entered_by_id,
    ) == ("Matemáticas III", "secundaria", 3, 8.4, "MX-MIC", "2023-2024", world["coord_tx"].id)
    (event,) = events("prior_course.added")
    assert event.student_id == student.id and event.data["sep_grade"] == 8.4
    client.post(
        f"/credits/students/{student.id}/prior-courses",
        data=dict(COURSE, subject="Historia", sep_grade="5"),
    )
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    rows = re.findall(r'<tr data-testid="prior-course">(.*?)</tr>', html, re.S)
    cells = [re.findall(r"<td>([^<]*)", row) for row in rows]
    assert [c[0] for c in cells] == ["Historia", "Matemáticas III"]
    assert cells[1][6:10] == ["9", "84.0 %", "B", "0.5"]  # US grade, percent, letter, credit
    assert cells[0][6:10] == ["9", "50.0 %", "F", "0"]
    assert "Suggested placement: US grade 10" in html and "Michoacán" in html


def test_a_grade_with_a_decimal_comma_is_read(world, auth, client):
    auth.login(world["coord_tx"])
    client.post(
        f"/credits/students/{world['student_tx1'].id}/prior-courses",
        data=dict(COURSE, sep_grade="9,2"),
    )
    assert db.session.scalar(select(PriorCourse.sep_grade)) == 9.2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sep_grade": "11"}, "The SEP grade must be a number from 0 to 10."),
        ({"sep_grade": "ocho"}, "The SEP grade must be a number from 0 to 10."),
        ({"year": "4"}, "That year or semester does not exist at this level."),
        ({"level": "kinder"}, "Choose the Mexican level and the year or semester."),
        ({"state_code": "MX-XX"}, "The state must be one of the 32 Mexican states"),
        ({"state_code": "US-TX"}, "The state must be one of the 32 Mexican states"),
        ({"school_year": "2024-2026"}, "The school year must be two years in a row"),
        ({"subject": "  "}, "Enter the subject"),
    ],
)
def test_bad_input_is_refused_with_the_reason(world, auth, client, change, message):
    auth.login(world["coord_tx"])
    response = client.post(
        f"/credits/students/{world['student_tx1'].id}/prior-courses", data=dict(COURSE, **change)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count() == 0 and events("prior_course.added") == []


def test_teachers_see_but_do_not_enter_and_other_states_do_neither(world, auth, client):
    student = world["student_tx1"]
    url = f"/credits/students/{student.id}/prior-courses"
    auth.login(world["teacher_tx1"])
    page = client.get(url)
    assert page.status_code == 200 and "Add a course taken in Mexico" not in page.get_data(
        as_text=True
    )
    assert client.post(url, data=COURSE).status_code == 403
    auth.logout()
    auth.login(world["coord_nd"])
    assert client.get(url).status_code == 403 and client.post(url, data=COURSE).status_code == 403
    assert count() == 0


def test_delete_a_wrongly_entered_course(world, auth, client):
    student = world["student_tx1"]
    auth.login(world["coord_tx"])
    client.post(f"/credits/students/{student.id}/prior-courses", data=COURSE)
    course = db.session.scalar(select(PriorCourse))
    url = f"/credits/prior-courses/{course.id}/delete"
    no_reason = client.post(url, data={"reason": ""})
    assert no_reason.status_code == 400
    assert "Say why this course is deleted." in no_reason.get_data(as_text=True) and count() == 1
    auth.logout()
    auth.login(world["coord_nd"])
    assert client.post(url, data={"reason": "typo"}).status_code == 403 and count() == 1
    auth.logout()
    auth.login(world["coord_tx1"])
    assert client.post(url, data={"reason": "Entered for the wrong student."}).status_code == 302
    assert count() == 0
    (event,) = events("prior_course.deleted")
    assert event.reason == "Entered for the wrong student."
    assert event.data["subject"] == "Matemáticas III" and event.data["sep_grade"] == 8.4
    assert client.post(url, data={"reason": "again"}).status_code == 404


def test_the_prior_courses_page_in_spanish(world, auth, client):
    coordinator = factories.make_user(Role.COORDINATOR, state_code="US-TX", locale="es")
    auth.login(coordinator)
    student = world["student_tx1"]
    client.post(f"/credits/students/{student.id}/prior-courses", data=COURSE)
    for url in (f"/credits/students/{student.id}/prior-courses", f"/students/{student.id}"):
        page = client.get(url)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and '<html lang="es"' in html, url
        assert "Matemáticas III" in html and "84.0 %" in html
