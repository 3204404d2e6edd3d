"""The demo's move notice and prior Mexican courses, and `flask demo load` staying idempotent."""

import re

import pytest
from sqlalchemy import delete, func, select

from app.credits.models import PriorCourse
from app.demo.data import DEMO_PASSWORD
from app.demo.services import add_moves_and_prior_courses, load_demo
from app.extensions import db
from app.moves.models import MoveStatus, StudentMove
from app.students.models import Student


@pytest.fixture
def demo(session):
    counts = load_demo()
    db.session.commit()
    return counts


def sign_in(client, email):
    assert (
        client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    )


@pytest.mark.parametrize("email", ["coordinator.nd@example.org", "teacher.nd@example.org"])
def test_north_dakota_sees_the_incoming_texas_student(demo, client, email):
    assert (demo["moves"], demo["prior_courses"]) == (1, 3)
    sign_in(client, email)
    html = client.get("/moves/incoming").get_data(as_text=True)
    assert html.count('data-testid="incoming-move"') == 1
    assert "Martínez, Sofía" in html and "Rio Grande Valley PASS Center" in html
    assert "Receive the student" in html


def test_the_texas_coordinator_sees_no_incoming_student(demo, client):
    sign_in(client, "coordinator.tx@example.org")
    assert 'data-testid="incoming-move"' not in client.get("/moves/incoming").get_data(as_text=True)


def test_santiagos_record_shows_his_mexican_courses(demo, client):
    student = db.session.scalar(select(Student).where(Student.given_name == "Santiago"))
    sign_in(client, "coordinadora.mic@example.org")
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert html.count('data-testid="prior-course"') == 3
    assert "Matemáticas III" in html and "Michoacán" in html
    overall = re.search(r'data-testid="overall-placement">(.*?)</p>', html, re.S)[1]
    assert re.search(r"\b10\b", overall)  # the grade after secundaria 3


def test_loading_again_adds_nothing_and_an_older_demo_is_completed(demo, runner):
    assert add_moves_and_prior_courses() == {"moves": 0, "prior_courses": 0}
    result = runner.invoke(args=["demo", "load"])
    assert "nothing changed" in result.output
    db.session.execute(delete(StudentMove))
    db.session.execute(delete(PriorCourse))
    db.session.commit()
    result = runner.invoke(args=["demo", "load"])
    assert "Added to the loaded demo: 1 move notices, 3 prior Mexican courses." in result.output
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(StudentMove)
            .where(StudentMove.status == MoveStatus.MOVING)
        )
        == 1
    )
    assert db.session.scalar(select(func.count()).select_from(PriorCourse)) == 3
