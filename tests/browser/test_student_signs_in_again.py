"""Staff invite a student in the browser (printed sheet, or email) and the student sets a password."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.certificates.helpers import pdf_qr_codes, pdf_text
from tests.smtp import link_in

pytestmark = pytest.mark.own_databases  # a live server on its own database

NEW_PASSWORD = "mi cuaderno de algebra"


@pytest.fixture
def live_mail(live_app, live_server, mail_server):
    """The live app's links name the live server, and its mail goes to the real SMTP server."""
    live_app.config["PUBLIC_BASE_URL"] = live_server
    state = live_app.extensions["mailman"]
    state.server, state.port = "127.0.0.1", mail_server.port
    return mail_server


def seed(app, **student) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site)
        rosa = factories.make_student(site, with_user=False, **student)
        db.session.commit()
        return {"teacher": teacher.email, "student_id": rosa.id}


def staff_page(browser, base, email):
    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email or sign-in name").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/students/$"))
    return page


def choose_password(page):
    page.get_by_label(re.compile("^(New password|Nueva contraseña)$")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile("Repeat the new password|Repite la nueva contraseña")).fill(
        NEW_PASSWORD
    )
    page.get_by_role("button", name=re.compile("Save the password|Guardar la contraseña")).click()
    expect(page).to_have_url(re.compile(r"/learn/$"))


def test_a_student_without_email_signs_in_from_the_printed_sheet(
    live_app, live_server, live_mail, browser, tmp_path
):
    data = seed(live_app, given_name="Rosa", family_name="Campos", second_family_name="Ibáñez")
    page = staff_page(browser, live_server, data["teacher"])
    page.goto(f"{live_server}/students/{data['student_id']}")
    expect(page.get_by_test_id("sign-in-status")).to_contain_text("No sign-in yet")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Print a sign-in sheet (PDF)").click()
    sheet = tmp_path / "sheet.pdf"
    download_info.value.save_as(sheet)
    pdf = sheet.read_bytes()

    text = pdf_text(pdf, layout=False)
    assert "Your sign-in to Puente" in text and "Tu acceso a Puente" in text
    assert "How to start" in text and "Cómo empezar" in text
    assert "Rosa Campos Ibáñez" in text
    username = re.search(r"\brosa\.campos\.\d{4}\b", text).group(0)
    (url,) = pdf_qr_codes(pdf)
    assert url.startswith(f"{live_server}/password/set/")

    phone = browser.new_context(locale="es-MX")
    phone.set_default_timeout(15_000)
    student = phone.new_page()
    student.goto(url)
    expect(student.get_by_test_id("sign-in-name")).to_have_text(username)
    choose_password(student)
    expect(student.get_by_role("link", name="Rosa")).to_be_visible()  # signed in, by name

    # Signing in again later with the printed sign-in name and the new password.
    student.get_by_role("button", name="Cerrar sesión").click()
    student.get_by_label("Correo o nombre de acceso").fill(username)
    student.get_by_label("Contraseña").fill(NEW_PASSWORD)
    student.get_by_role("button", name="Iniciar sesión").click()
    expect(student).to_have_url(re.compile(r"/learn/$"))

    # The staff page now says how the student signs in; the used code is spent.
    page.reload()
    expect(page.get_by_test_id("sign-in-status")).to_contain_text(username)
    student.goto(url)
    expect(student.get_by_test_id("token-error")).to_contain_text("ya se usó")
    phone.close()


def test_a_student_signs_in_from_the_emailed_link(live_app, live_server, live_mail, browser):
    data = seed(live_app, given_name="Luis", family_name="Ortiz")
    page = staff_page(browser, live_server, data["teacher"])
    page.goto(f"{live_server}/students/{data['student_id']}")
    page.get_by_label("Email", exact=True).fill("luis.ortiz@example.org")
    page.get_by_role("button", name="Email a sign-in link").click()
    expect(page.locator(".flash-success")).to_contain_text("luis.ortiz@example.org")

    link = link_in(live_mail.wait_for("luis.ortiz@example.org"))
    assert link.startswith(f"{live_server}/password/set/")
    laptop = browser.new_context(locale="en-US")
    laptop.set_default_timeout(15_000)
    student = laptop.new_page()
    student.goto(link)
    expect(student.get_by_test_id("sign-in-name")).to_have_text("luis.ortiz@example.org")
    choose_password(student)

    student.get_by_role("button", name="Sign out").click()
    student.get_by_label("Email or sign-in name").fill("luis.ortiz@example.org")
    student.get_by_label("Password").fill(NEW_PASSWORD)
    student.get_by_role("button", name="Sign in").click()
    expect(student).to_have_url(re.compile(r"/learn/$"))
    laptop.close()
