"""A paper packet in a real browser: the teacher prints one, the answer sheet's QR code (read back
with zbarimg) asks a signed-out phone to sign in, then opens the paper-score page of exactly that
student, unit and try, where the score is recorded as that try; a batch prints as a job."""

import re

import pytest
from playwright.sync_api import expect

from app.courses.services import import_package
from app.extensions import db
from app.learning.models import Attempt
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.browser.test_records_move import factories_password, sign_in
from tests.certificates.helpers import pdf_qr_codes, pdf_text
from tests.packets.helpers import ALGEBRA, sheet_path

pytestmark = pytest.mark.own_databases  # a live server on its own database


@pytest.fixture
def seeded(live_app, live_server, tmp_path):
    live_app.config["PUBLIC_BASE_URL"] = live_server  # the address the QR codes name
    live_app.config["PACKETS_DIR"] = str(tmp_path / "packets")
    with live_app.app_context():
        course = import_package(ALGEBRA)
        site = factories.make_site("US-TX", name="Rio Grande Valley")
        teacher = factories.make_user(Role.TEACHER, site)
        progresses = []
        for given in ("Rosa", "Tomás"):
            student = factories.make_student(site, with_user=False, given_name=given)
            progresses.append(factories.make_enrollment(student, course, teacher).units[1])
        db.session.commit()
        return {
            "teacher": teacher.email,
            "course": course.course_id,
            "progress": progresses[0].id,
            "path": sheet_path(progresses[0], 1),
        }


def test_the_answer_sheet_qr_opens_that_try_after_sign_in(
    browser, live_app, live_server, seeded, tmp_path
):
    page = sign_in(browser, live_server, seeded["teacher"])
    page.get_by_role("link", name="Packets", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Course").select_option(label="ALG1A")
    page.get_by_label("Unit").fill("2")
    page.get_by_role("button", name="Show students").click()
    expect(page.get_by_test_id("packet-row")).to_have_count(2)
    assert_accessible(page)
    row = page.get_by_test_id("packet-row").filter(has_text="Rosa")
    with page.expect_download() as download:
        row.get_by_role("link", name="Print one (Letter)").click()
    saved = tmp_path / "packet.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    text = " ".join(pdf_text(pdf).split())
    assert "Solving Linear Equations" in text and "Resolver ecuaciones lineales" in text
    (url,) = pdf_qr_codes(pdf)
    assert url == f"{live_server}{seeded['path']}"

    # The teacher's phone, signed out: the QR code alone shows nothing but the sign-in page.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    scan = phone.new_page()
    scan.goto(url)
    expect(scan).to_have_url(re.compile(r"/login\?next="))
    scan.get_by_label(re.compile("^Email", re.I)).fill(seeded["teacher"])
    scan.get_by_label(re.compile("^Password", re.I)).fill(factories_password())
    scan.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(scan).to_have_url(url)
    expect(scan.get_by_role("heading", name="Answer sheet: unit test, try 1")).to_be_visible()
    assert scan.evaluate("document.scrollingElement.scrollWidth") <= 390
    assert_accessible(scan)
    scan.get_by_label("Unit test: percent (0–100)").fill("85")
    scan.get_by_role("button", name="Record scores").click()
    expect(scan.get_by_text("The paper packet's scores were recorded.")).to_be_visible()
    with live_app.app_context():
        (attempt,) = db.session.query(Attempt).filter_by(unit_progress_id=seeded["progress"]).all()
        assert (attempt.number, attempt.percent) == (1, 85.0)
    phone.close()

    # Both students at once: a job whose page follows it, then offers one PDF.
    page.get_by_role("radio", name="A4").check()
    page.get_by_role("button", name="Print the chosen packets").click()
    expect(page.get_by_role("heading", name="Printing packets")).to_be_visible()
    link = page.get_by_role("link", name="Download the packets (PDF)")
    expect(link).to_be_visible()
    expect(page.locator("#job-done")).to_have_text("2")
    assert_accessible(page)
    with page.expect_download() as batch:
        link.click()
    batch.value.save_as(tmp_path / "batch.pdf")
    codes = pdf_qr_codes((tmp_path / "batch.pdf").read_bytes())
    assert codes[0] == f"{live_server}{seeded['path'].replace('/tries/1/', '/tries/2/')}"
    assert len(codes) == 2 and codes[1] != codes[0]
    page.context.close()
