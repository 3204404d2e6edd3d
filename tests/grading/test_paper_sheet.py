"""The paper-score page an answer sheet's QR code opens: this student, unit and test try only."""

from app.extensions import db
from app.learning.models import Attempt
from tests import factories
from tests.grading.helpers import paper_test
from tests.packets.helpers import sheet_path


def progress_of(world, site="tx1"):
    student = factories.make_student(world[site])
    return factories.make_enrollment(student, world["course"]).units[0]


def test_the_sheet_page_names_its_try_and_records_the_score_as_that_try(client, auth, world):
    progress = progress_of(world)
    auth.login(world["teacher_tx1"])
    page = client.get(sheet_path(progress, 1)).get_data(as_text=True)
    assert "Answer sheet: unit test, try 1" in page
    assert 'name="sheet_try" type="hidden" value="1"' in page
    response = client.post(
        f"/grading/units/{progress.id}/paper",
        data={"test_percent": "75", "sheet_try": "1", "seen_attempts": "0"},
    )
    assert response.status_code == 302
    (attempt,) = db.session.query(Attempt).filter_by(unit_progress_id=progress.id).all()
    assert (attempt.number, attempt.percent, attempt.mode) == (1, 75.0, "paper")
    again = client.get(sheet_path(progress, 1)).get_data(as_text=True)
    assert "Try 1 was already recorded: 75.0 %." in again
    assert 'aria-current="true"' in again


def test_a_sheet_for_a_try_already_recorded_records_nothing(client, auth, world):
    progress = progress_of(world)
    paper_test(progress, world["teacher_tx1"], 40.0)  # try 1 came in some other way
    auth.login(world["teacher_tx1"])
    response = client.post(
        f"/grading/units/{progress.id}/paper",
        data={"test_percent": "90", "sheet_try": "1", "seen_attempts": "1"},
    )
    assert response.status_code == 409
    assert "This answer sheet is for try 1 of the unit test" in response.get_data(as_text=True)
    assert db.session.query(Attempt).filter_by(unit_progress_id=progress.id).count() == 1


def test_the_sheet_page_in_spanish(client, auth, world):
    progress = progress_of(world)
    world["teacher_tx1"].locale = "es"
    auth.login(world["teacher_tx1"])
    page = client.get(sheet_path(progress, 2)).get_data(as_text=True)
    assert "Hoja de respuestas: examen de la unidad, intento 2" in page


def test_a_qr_code_alone_grants_nothing(client, auth, world):
    progress = progress_of(world)
    response = client.get(sheet_path(progress, 1))
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    auth.login(world["teacher_tx2"])  # a teacher at another site
    assert client.get(sheet_path(progress, 1)).status_code == 403


def test_the_address_must_name_the_right_student_and_a_real_try(client, auth, world):
    progress = progress_of(world)
    other = progress_of(world)
    auth.login(world["teacher_tx1"])
    wrong_student = sheet_path(progress, 1).replace(
        f"/students/{progress.enrollment.student_id}/", f"/students/{other.enrollment.student_id}/"
    )
    assert client.get(wrong_student).status_code == 404
    assert client.get(sheet_path(progress, 3)).status_code == 404  # one retake: 2 tries
    assert client.get(sheet_path(progress, 0)).status_code == 404
