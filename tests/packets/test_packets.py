"""A unit's printed packet: both languages, a mentor's key, a test, and an answer sheet whose QR
code names exactly this student, unit and test try; one now, or many as a job with progress."""

import subprocess
import tempfile
from datetime import date

import pytest

from app.audit.models import AuditEvent
from app.extensions import db
from app.grading.services import record_paper_scores
from app.job_leases import JobStatus
from app.packets.models import PacketJob
from app.packets.services import packet_path
from tests import factories
from tests.certificates.helpers import pdf_image_shapes, pdf_qr_codes, pdf_text
from tests.packets.helpers import algebra, sheet_path, working_on_unit
from tests.query_counter import count_queries

BASE = "https://puente.example.org"  # TestingConfig's PUBLIC_BASE_URL


@pytest.fixture
def packets_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PACKETS_DIR", str(tmp_path / "packets"))
    return tmp_path / "packets"


def page_size(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        info = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True).stdout
    return next(line for line in info.splitlines() if line.startswith("Page size:"))


def test_a_packet_holds_the_unit_in_both_languages_and_its_answer_sheet(client, auth, world):
    progress = working_on_unit(world["tx1"], algebra(), given_name="Rosa", family_name="Campos")
    auth.login(world["teacher_tx1"])
    response = client.get(f"/packets/units/{progress.id}.pdf?size=letter")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    text = " ".join(pdf_text(pdf).split())
    for expected in (
        "Algebra I A · Unit 2: Solving Linear Equations",
        "Álgebra I A · Unidad 2: Resolver ecuaciones lineales",
        "One-step and two-step equations",  # a lesson, in English ...
        "Ecuaciones de uno y dos pasos",  # ... and in Spanish
        "Solve x + 7 = 15.",  # practice
        "Resuelve x + 7 = 15.",
        "Practice answer key, for the mentor / Clave de respuestas de la práctica, para el mentor",
        "Solve 4x − 3 = x + 9.",  # the unit test
        "Answer sheet / Hoja de respuestas",
        "Rosa Campos",
    ):
        assert expected in text, expected
    assert "Unit-test try / Intento del examen de la unidad 1" in text
    assert page_size(pdf).startswith("Page size:       612 x 792 pts (letter)")
    assert pdf_qr_codes(pdf) == [f"{BASE}{sheet_path(progress, 1)}"]
    ((width, height, x_ppi, y_ppi),) = pdf_image_shapes(pdf)  # the QR code: drawn square
    assert width == height and x_ppi == y_ppi
    event = db.session.query(AuditEvent).filter_by(action="packets.printed").one()
    assert event.data["test_try"] == 1 and event.actor_id == world["teacher_tx1"].id


def test_a4_and_the_next_try_after_a_recorded_one(client, auth, world):
    progress = working_on_unit(world["tx1"], world["course"], unit=1)
    factories.make_submitted_test(progress)
    auth.login(world["teacher_tx1"])
    pdf = client.get(f"/packets/units/{progress.id}.pdf?size=a4").data
    assert page_size(pdf).startswith("Page size:       595") and "(A4)" in page_size(pdf)
    assert pdf_qr_codes(pdf) == [f"{BASE}{sheet_path(progress, 2)}"]


def test_no_answer_sheet_when_no_try_is_left(client, auth, world):
    progress = world["course"]  # factories' course: its unit test has t1..t3
    progress = factories.make_enrollment(factories.make_student(world["tx1"]), progress).units[0]
    for _ in range(2):
        attempt = factories.make_submitted_test(progress)
        attempt.status = "graded"
    db.session.flush()
    auth.login(world["teacher_tx1"])
    response = client.get(f"/packets/units/{progress.id}.pdf")
    assert response.status_code == 400
    assert "no unit-test try left" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", ["legal", "A5", "<b>"])
def test_a_page_size_other_than_letter_or_a4_is_refused(client, auth, world, size):
    progress = working_on_unit(world["tx1"], world["course"], unit=1)
    auth.login(world["teacher_tx1"])
    response = client.get(f"/packets/units/{progress.id}.pdf", query_string={"size": size})
    assert response.status_code == 400
    assert "Choose the page size Letter or A4." in response.get_data(as_text=True)


def test_a_batch_is_a_job_with_progress_and_one_pdf(client, auth, world, packets_dir):
    course = algebra()
    progresses = [
        working_on_unit(world["tx1"], course, given_name=name, family_name="Ruiz")
        for name in ("Ana", "Beto", "Carla")
    ]
    record_paper_scores(progresses[1], world["teacher_tx1"], None, 40.0, date.today())
    # Beto's sheet is for his retake
    auth.login(world["teacher_tx1"])
    listing = client.get(f"/packets/?course={course.course_id}&unit=2").get_data(as_text=True)
    assert listing.count('data-testid="packet-row"') == 3
    response = client.post(
        "/packets/jobs", data={"progress": [p.id for p in progresses], "size": "a4"}
    )
    assert response.status_code == 302
    job = db.session.query(PacketJob).one()
    assert response.headers["Location"].endswith(f"/packets/jobs/{job.id}")
    db.session.refresh(job)
    assert job.status == JobStatus.DONE and job.page_size == "a4"
    assert client.get(f"/packets/jobs/{job.id}.json").get_json() == {
        "status": "done",
        "total": 3,
        "done": 3,
        "finished": True,
    }
    page = client.get(f"/packets/jobs/{job.id}").get_data(as_text=True)
    assert "Download the packets (PDF)" in page
    pdf = client.get(f"/packets/jobs/{job.id}/packets.pdf").data
    assert pdf == packet_path(job).read_bytes()
    text = pdf_text(pdf)
    assert all(f"{name} Ruiz" in text for name in ("Ana", "Beto", "Carla"))
    assert pdf_qr_codes(pdf) == [
        f"{BASE}{sheet_path(progresses[0], 1)}",
        f"{BASE}{sheet_path(progresses[1], 2)}",
        f"{BASE}{sheet_path(progresses[2], 1)}",
    ]


def test_a_batch_with_someone_elses_student_starts_nothing(client, auth, world, packets_dir):
    mine = working_on_unit(world["tx1"], world["course"], unit=1)
    theirs = working_on_unit(world["tx2"], world["course"], unit=1)
    auth.login(world["teacher_tx1"])
    response = client.post("/packets/jobs", data={"progress": [mine.id, theirs.id]})
    assert response.status_code == 403
    assert db.session.query(PacketJob).count() == 0


@pytest.mark.parametrize(
    "form, message",
    [({}, "Choose at least one student."), ({"progress": "x"}, None)],
)
def test_a_batch_without_students_is_refused(client, auth, world, packets_dir, form, message):
    auth.login(world["teacher_tx1"])
    response = client.post("/packets/jobs", data=form)
    assert response.status_code == 400
    if message:
        assert message in response.get_data(as_text=True)
    assert db.session.query(PacketJob).count() == 0


def test_only_who_started_a_batch_and_admins_follow_it(client, auth, world, packets_dir):
    job = PacketJob(created_by_id=world["teacher_tx1"].id, sheets=[], total=0)
    db.session.add(job)
    db.session.flush()
    auth.login(world["coord_tx1"])
    assert client.get(f"/packets/jobs/{job.id}").status_code == 403
    assert client.get(f"/packets/jobs/{job.id}/packets.pdf").status_code == 403


def test_no_packet_for_a_withdrawn_student(client, auth, world):
    progress = working_on_unit(world["tx1"], world["course"], unit=1)
    progress.enrollment.status = "withdrawn"
    db.session.flush()
    auth.login(world["teacher_tx1"])
    response = client.get(f"/packets/units/{progress.id}.pdf")
    assert response.status_code == 400
    assert "The student was withdrawn from this course." in response.get_data(as_text=True)


def test_the_students_list_does_not_grow_in_queries(client, auth, world):
    course = world["course"]
    coordinator = world["coord_tx"]  # every Texas site: each student at a site of their own
    auth.login(coordinator)

    def add(count):
        for _ in range(count):
            working_on_unit(factories.make_site("US-TX"), course, unit=1)

    add(2)
    with count_queries() as few:
        page = client.get(f"/packets/?course={course.course_id}&unit=1").get_data(as_text=True)
    assert page.count('data-testid="packet-row"') == 2
    add(8)
    with count_queries() as many:
        page = client.get(f"/packets/?course={course.course_id}&unit=1").get_data(as_text=True)
    assert page.count('data-testid="packet-row"') == 10
    assert len(few) > 3 and len(many) == len(few), "\n".join(many)
