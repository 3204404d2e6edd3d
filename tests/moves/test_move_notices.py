"""Move notices on the student's record: report, validation, cancel, audit, scope."""

from datetime import date, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.moves.models import MoveStatus, StudentMove
from app.users.models import Role
from tests import factories
from tests.moves.helpers import events, notice


def report(client, student, **data):
    form = {
        "destination_code": "US-ND",
        "destination_site_id": "",
        "move_date": (date.today() + timedelta(days=10)).isoformat(),
        "note": "",
    }
    form.update(data)
    return client.post(f"/moves/students/{student.id}", data=form)


def count_moves() -> int:
    return db.session.scalar(select(func.count()).select_from(StudentMove))


def test_a_teacher_reports_a_move_and_the_record_shows_it(world, auth, client):
    student = world["student_tx1"]
    auth.login(world["teacher_tx1"])
    assert "Report the move" in client.get(f"/moves/students/{student.id}").get_data(as_text=True)
    response = report(client, student, note="Going to Grand Forks for the harvest.")
    assert response.status_code == 302
    move = db.session.scalar(select(StudentMove).where(StudentMove.student_id == student.id))
    assert (move.destination_code, move.status, move.from_site_id) == (
        "US-ND",
        MoveStatus.MOVING,
        world["tx1"].id,
    )
    assert move.note == "Going to Grand Forks for the harvest."
    (event,) = events("move.reported")
    assert event.actor_id == world["teacher_tx1"].id and event.student_id == student.id
    assert event.data["destination"] == "US-ND" and event.data["from_site"] == world["tx1"].code
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert 'data-testid="open-move"' in page and "Moving to North Dakota" in page
    assert "Staff there see the student in their incoming list" in page  # ND has a site here


def test_a_receiving_site_names_its_state(world, auth, client):
    auth.login(world["teacher_tx1"])
    response = report(
        client, world["student_tx1"], destination_code="US", destination_site_id=str(world["nd"].id)
    )
    assert response.status_code == 302
    move = db.session.scalar(select(StudentMove))
    assert (move.destination_code, move.destination_site_id) == ("US-ND", world["nd"].id)


def test_bad_destinations_are_refused_with_the_reason(world, auth, client):
    student = world["student_tx1"]
    auth.login(world["teacher_tx1"])
    for code in ("US-XX", "MX-DIF", "ND", "Texas", ""):
        response = report(client, student, destination_code=code)
        assert response.status_code == 400, code
        assert "is not a destination Puente knows" in response.get_data(as_text=True)
    wrong_site = report(
        client, student, destination_code="US-TX", destination_site_id=str(world["nd"].id)
    )
    assert wrong_site.status_code == 400
    assert f"The receiving site {world['nd'].name} is not in Texas." in wrong_site.get_data(
        as_text=True
    )
    own_site = report(
        client, student, destination_code="US-TX", destination_site_id=str(world["tx1"].id)
    )
    assert "The receiving site is the student&#39;s own site." in own_site.get_data(as_text=True)
    far = report(client, student, move_date=(date.today() + timedelta(days=400)).isoformat())
    assert "The date of the move must be within a year of today." in far.get_data(as_text=True)
    no_date = report(client, student, move_date="")
    assert no_date.status_code == 400 and "Enter the date of the move." in no_date.get_data(
        as_text=True
    )
    assert count_moves() == 0 and events("move.reported") == []


def test_mexican_destinations_and_the_country_alone_are_accepted(world, auth, client):
    auth.login(world["teacher_tx1"])
    assert report(client, world["student_tx1"], destination_code="mx-jal").status_code == 302
    assert report(client, world["student_tx2"], destination_code="MX").status_code == 403
    move = db.session.scalar(select(StudentMove))
    assert move.destination_code == "MX-JAL"
    page = client.get(f"/students/{world['student_tx1'].id}").get_data(as_text=True)
    assert "Moving to Jalisco" in page
    # No site here serves Jalisco: the notice stays for the record, with the package to hand over.
    assert "No site on this Puente installation serves that place" in page
    assert f"/transfers/students/{world['student_tx1'].id}/package.json" in page


def test_only_one_open_notice_at_a_time(world, auth, client):
    notice(world["student_tx1"], world["teacher_tx1"])
    auth.login(world["teacher_tx1"])
    response = report(client, world["student_tx1"], destination_code="US-CA")
    assert response.status_code == 400
    assert "already has an open move notice" in response.get_data(as_text=True)
    assert count_moves() == 1


def test_cancel_a_notice_and_audit_it(world, auth, client):
    move = notice(world["student_tx1"], world["teacher_tx1"])
    auth.login(world["coord_tx"])
    response = client.post(f"/moves/{move.id}/cancel", data={"reason": "They stayed."})
    assert response.status_code == 302
    db.session.refresh(move)
    assert move.status == MoveStatus.CANCELLED and move.closed_by_id == world["coord_tx"].id
    assert move.closed_at is not None
    (event,) = events("move.cancelled")
    assert event.reason == "They stayed." and event.object_id == move.id
    again = client.post(f"/moves/{move.id}/cancel", data={})
    assert again.status_code == 409
    assert "This move notice is already closed." in again.get_data(as_text=True)
    page = client.get(f"/students/{world['student_tx1'].id}").get_data(as_text=True)
    assert 'data-testid="move-cancelled"' in page and 'data-testid="open-move"' not in page
    assert report(client, world["student_tx1"]).status_code == 302  # a new notice is possible


def test_staff_of_another_site_can_neither_report_nor_cancel(world, auth, client):
    move = notice(world["student_tx1"], world["teacher_tx1"])
    for user in (world["teacher_tx2"], world["teacher_nd"], world["coord_nd"]):
        auth.login(user)
        assert report(client, world["student_tx1"]).status_code == 403
        assert client.post(f"/moves/{move.id}/cancel", data={}).status_code == 403
        auth.logout()
    db.session.refresh(move)
    assert move.status == MoveStatus.MOVING and count_moves() == 1


def test_a_student_cannot_reach_move_pages(world, auth, client):
    student = world["student_tx1"]
    auth.login(student.user)
    assert client.get(f"/moves/students/{student.id}").status_code == 403
    assert client.get("/moves/incoming").status_code == 403


def test_the_record_page_in_spanish(world, auth, client):
    notice(world["student_tx1"], world["teacher_tx1"], note="Cosecha.")
    teacher = factories.make_user(Role.TEACHER, world["tx1"], locale="es")
    auth.login(teacher)
    page = client.get(f"/students/{world['student_tx1'].id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es"' in html
    assert "Dakota del Norte" in html and "Cosecha." in html  # place names come from the data
    form = client.get(f"/moves/students/{world['student_tx2'].id}")
    assert form.status_code == 403
    form = client.get(f"/moves/students/{factories.make_student(world['tx1']).id}")
    assert form.status_code == 200 and "Michoacán" in form.get_data(as_text=True)


def test_a_long_note_is_refused_by_name(world, auth, client):
    auth.login(world["teacher_tx1"])
    response = report(client, world["student_tx1"], note="x" * 501)
    assert response.status_code == 400
    assert "The note is too long (500 characters at most)." in response.get_data(as_text=True)
    assert count_moves() == 0
