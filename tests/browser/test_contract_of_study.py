"""A teacher writes a contract of study and prints it; the student acknowledges it on a phone."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.certificates.helpers import pdf_text

pytestmark = pytest.mark.own_databases  # a live server on its own database


def seed(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site, given_name="Laura", family_name="Vega")
        student = factories.make_student(site, given_name="Rosa", family_name="Campos")
        course = factories.make_course_version(code="CONTRACT1")
        enrollment = factories.make_enrollment(student, course, teacher)
        factories.pass_unit(enrollment.units[0])
        db.session.commit()
        return {
            "teacher": teacher.email,
            "student": student.user.email,
            "student_id": student.id,
            "enrollment_id": enrollment.id,
        }


def sign_in(browser, base, email, locale="en-US", **context_options):
    context = browser.new_context(locale=locale, accept_downloads=True, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^(Email|Correo)", re.I)).fill(email)
    page.get_by_label(re.compile("^(Password|Contraseña)", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("en-US", {"write": "Write the contract of study", "save": "Save the contract"}),
        ("es-MX", {"write": "Redactar el contrato de estudio", "save": "Guardar el contrato"}),
    ],
)
def test_teacher_writes_prints_and_the_student_acknowledges(
    live_app, live_server, browser, tmp_path, locale, words
):
    data = seed(live_app)
    page = sign_in(browser, live_server, data["teacher"], locale)
    page.goto(f"{live_server}/students/{data['student_id']}")
    page.get_by_role("link", name=re.compile("Contract of study|Contrato de estudio")).click()
    assert_accessible(page)
    page.get_by_role("link", name=words["write"]).click()
    assert_accessible(page)
    page.get_by_label(re.compile("Hours of study a week|Horas de estudio por semana")).fill("60")
    page.get_by_label(re.compile("Meeting time|Horario de reunión")).fill("Tuesdays 4 pm")
    start = date.today() - timedelta(days=30)
    page.get_by_label(re.compile("^(Starts on|Empieza el)")).fill(start.isoformat())
    page.get_by_label(re.compile("undertakes this course|emprende este curso")).check()
    unit_2 = re.compile("(Target date for unit|Fecha meta de la unidad) 2")
    page.get_by_label(unit_2).fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name=words["save"]).click()
    # Refused, with the reason, and what was typed is kept.
    expect(page.get_by_text(re.compile("from 1 to 40|de 1 a 40")).first).to_be_visible()
    page.get_by_label(re.compile("Hours of study a week|Horas de estudio por semana")).fill("2")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_test_id("weekly-hours")).to_have_text("2")
    expect(page.locator("tr[data-late]")).to_have_count(1)  # unit 2's target went by
    assert_accessible(page)
    page.get_by_role(
        "button", name=re.compile("guardian's signature on paper|firma en papel del tutor")
    ).click()
    expect(page.get_by_test_id("acknowledgements")).to_contain_text(
        re.compile("signed on paper|firmado en papel")
    )

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Print the contract|Imprimir el contrato")).click()
    pdf = tmp_path / "contract.pdf"
    download.value.save_as(pdf)
    text = pdf_text(pdf.read_bytes(), layout=False)
    assert "Contract of study" in text and "Contrato de estudio" in text
    assert "Parent or guardian" in text and "Padre, madre o tutor" in text
    assert "Rosa Campos" in text and "Tuesdays 4 pm" in text
    page.context.close()

    # The student, on a 390 px phone, in Spanish.
    phone = sign_in(
        browser,
        live_server,
        data["student"],
        "es-MX",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    phone.get_by_role("link", name="Mi contrato de estudio").click()
    assert_accessible(phone)
    expect(phone.get_by_test_id("units-passed")).to_contain_text("1 de 5")
    phone.get_by_role("button", name="He leído y acepto este contrato").click()
    expect(phone.get_by_test_id("acknowledgements")).to_contain_text("conformidad dada el")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.context.close()
