"""The course-history export in a real browser: the Students list's button starts it (in
Spanish), the job page follows a running export live and then offers the file it describes."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.records.exports import export_path, run_export_job
from app.records.models import ExportJob
from app.users.models import Role
from tests import factories
from tests.browser.test_records_move import sign_in

pytestmark = pytest.mark.own_databases  # a live server on its own database


@pytest.fixture
def exports_dir(live_app, tmp_path):
    live_app.config["EXPORTS_DIR"] = str(tmp_path / "exports")
    return tmp_path / "exports"


@pytest.fixture
def seeded(live_app):
    with live_app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley")
        course = factories.make_course_version("ALG1A")
        teacher = factories.make_user(Role.TEACHER, site, locale="es")
        for n in range(3):
            student = factories.make_student(site, with_user=False, given_name=f"Alumna{n}")
            factories.make_enrollment(student, course, teacher)
        db.session.commit()
        return {"teacher": teacher.email, "teacher_id": teacher.id, "site": site.id}


def test_the_button_starts_an_export_and_its_page_follows_it_live(
    browser, live_app, live_server, seeded, exports_dir, tmp_path
):
    page = sign_in(browser, live_server, seeded["teacher"], locale="es-MX")
    page.get_by_role("link", name="Estudiantes", exact=True).click()
    page.get_by_role("button", name="Exportar el historial de cursos (CSV)").click()
    expect(page.get_by_role("heading", name="Exportación del historial de cursos")).to_be_visible()
    expect(page.get_by_text("3 filas (una por inscripción)")).to_be_visible()

    # An export still waiting for a worker: the page shows it waiting, then finished, live.
    with live_app.app_context():
        job = ExportJob(created_by_id=seeded["teacher_id"], filters={"site": str(seeded["site"])})
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    page.goto(f"{live_server}/records/exports/{job_id}")
    expect(page.get_by_text("Esperando para empezar")).to_be_visible()
    link = page.get_by_role("link", name="Descargar el historial de cursos (CSV)")
    expect(link).to_have_count(0)
    with live_app.app_context():
        run_export_job(job_id)  # what the worker does
        job = db.session.get(ExportJob, job_id)
        sha256, file = job.sha256, export_path(job)
    expect(link).to_be_visible()  # job.js saw it finish and reloaded the page
    expect(page.locator("#job-done")).to_have_text("3")
    expect(page.get_by_text(re.compile("Rio Grande Valley"))).to_be_visible()
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "downloaded.csv"
    download.value.save_as(saved)
    assert saved.read_bytes() == file.read_bytes()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == sha256
    page.context.close()
