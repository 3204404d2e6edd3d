"""A teacher's desk in a real browser: a student asks for approval on a phone (Spanish), the
teacher approves it from the queue, finds students by a name without accents in the gradebook,
grades from it and moves to the next test, and reaches the graded test from the student page."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.common import utcnow
from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible

pytestmark = pytest.mark.own_databases  # a live server on its own database

PHONE = {"width": 390, "height": 844}


def seed(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", name="Weslaco PASS")
        teacher = factories.make_user(Role.TEACHER, site)
        course = factories.make_course_version(code="GRADEBOOK1")
        asking = factories.make_student(site, given_name="Rosa", family_name="García")
        factories.make_enrollment(asking, course, teacher)
        first = factories.make_student(site, given_name="Luis", family_name="GARCIA")
        second = factories.make_student(site, given_name="Ana", family_name="Núñez")
        oldest = factories.make_student(site, given_name="Zoe", family_name="Ruiz")
        attempts = []
        for student, days in ((first, 1), (second, 0), (oldest, 2)):
            enrollment = factories.make_enrollment(student, course, teacher)
            handed_in = utcnow() - timedelta(days=days)
            attempts.append(
                factories.make_submitted_test(enrollment.units[0], submitted_at=handed_in)
            )
        db.session.commit()
        return {
            "teacher": teacher.email,
            "student": asking.user.email,
            "asking_progress": asking_unit(asking),
            "first": attempts[0].id,
            "second": attempts[1].id,
            "oldest": attempts[2].id,
            "first_student": first.id,
        }


def asking_unit(student) -> int:
    from app.enrollments.models import Enrollment

    enrollment = db.session.query(Enrollment).filter_by(student_id=student.id).one()
    return enrollment.units[0].id


def sign_in(browser, base, email, locale="en-US", viewport=None):
    context = browser.new_context(
        locale=locale, viewport=viewport or {"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^(Email|Correo)", re.I)).fill(email)
    page.get_by_label(re.compile("^(Password|Contraseña)", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


# What each page says, in each language (the student's words, then the teacher's).
WORDS = {
    "en": {
        "locale": "en-US",
        "needs approval": "Your teacher needs to approve the unit test",
        "ask": "Ask my teacher for approval",
        "asked": "Your teacher was asked",
        "grading": "Grading",
        "requests": "Approval requests",
        "asks": "Asks for approval",
        "approve": "Approve the unit 1 test for Rosa",
        "approved": "Unit 1 test approved for Rosa García.",
        "none asking": "No student is asking for an approval.",
        "gradebook": "Gradebook",
        "name": "Student name",
        "filter": "Filter",
        "approved until": r"Approved until \d",
        "cell link": "Luis GARCIA, unit 1 test",
        "score": "Score",
        "save": "Save grades",
        "graded": "The test is graded",
        "next": "Next test",
        "previous": "Previous test",
    },
    "es": {
        "locale": "es-MX",
        "needs approval": "Tu maestro necesita aprobar el examen",
        "ask": "Pedir la aprobación a mi maestro",
        "asked": "Se le pidió a tu maestro",
        "grading": "Calificar",
        "requests": "Solicitudes de aprobación",
        "asks": "Pide aprobación",
        "approve": "Aprobar el examen de la unidad 1 para Rosa",
        "approved": "Examen de la unidad 1 aprobado para Rosa García.",
        "none asking": "Ningún estudiante está pidiendo una aprobación.",
        "gradebook": "Libro de calificaciones",
        "name": "Nombre del estudiante",
        "filter": "Filtrar",
        "approved until": r"Aprobado hasta las \d",
        "cell link": "Luis GARCIA, examen de la unidad 1",
        "score": "Calificación",
        "save": "Guardar calificaciones",
        "graded": "El examen está calificado",
        "next": "Examen siguiente",
        "previous": "Examen anterior",
    },
}


@pytest.mark.parametrize(("student_language", "teacher_language"), [("es", "en"), ("en", "es")])
def test_student_asks_on_a_phone_and_the_teacher_approves_and_grades(
    live_app, live_server, browser, student_language, teacher_language
):
    data = seed(live_app)
    said, words = WORDS[student_language], WORDS[teacher_language]

    # The student, on a 390 px phone, asks for the approval (twice: one request).
    phone = sign_in(browser, live_server, data["student"], said["locale"], PHONE)
    phone.goto(f"{live_server}/learn/units/{data['asking_progress']}")
    expect(phone.get_by_text(said["needs approval"])).to_be_visible()
    assert_accessible(phone)
    phone.get_by_role("button", name=said["ask"]).click()
    expect(phone.get_by_text(said["asked"])).to_be_visible()
    expect(phone.get_by_test_id("approval-requested")).to_be_visible()
    expect(phone.get_by_role("button", name=said["ask"])).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(phone)

    # The teacher sees the request in the queue and approves it.
    desk = sign_in(browser, live_server, data["teacher"], words["locale"])
    desk.get_by_role("link", name=words["grading"], exact=True).click()
    desk.get_by_role("link", name=words["requests"]).click()
    row = desk.get_by_test_id("approval-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Rosa García")
    expect(row).to_contain_text(words["asks"])
    assert_accessible(desk)
    row.get_by_role("button", name=re.compile(words["approve"])).click()
    expect(desk.get_by_text(words["approved"])).to_be_visible()
    expect(desk.get_by_text(words["none asking"])).to_be_visible()

    # The gradebook: a name typed without accents finds García and GARCIA, not Núñez.
    desk.get_by_role("link", name=words["gradebook"]).click()
    expect(desk.get_by_test_id("gradebook-row")).to_have_count(4)
    assert_accessible(desk)
    desk.get_by_label(words["name"]).fill("garcia")
    desk.get_by_role("button", name=words["filter"]).click()
    rows = desk.get_by_test_id("gradebook-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Núñez")).to_have_count(0)
    rosa = rows.filter(has_text="Rosa")
    expect(rosa.locator('[data-unit="1"]')).to_contain_text(re.compile(words["approved until"]))

    # From Luis's cell to his test; grade it and go on to the next test in the queue.
    desk.get_by_role("link", name=re.compile(words["cell link"])).click()
    expect(desk).to_have_url(re.compile(rf"/grading/attempts/{data['first']}"))
    assert_accessible(desk)
    desk.get_by_label(re.compile(words["score"])).fill("2")
    desk.get_by_role("button", name=words["save"]).click()
    expect(desk.get_by_text(re.compile(words["graded"]))).to_be_visible()
    desk.get_by_role("link", name=words["next"]).click()
    expect(desk).to_have_url(re.compile(rf"/grading/attempts/{data['second']}"))
    # Luis's test left the queue when graded: the queue before Ana's now starts with Zoe's.
    expect(desk.get_by_role("link", name=words["next"])).to_have_count(0)
    desk.get_by_role("link", name=words["previous"]).click()
    expect(desk).to_have_url(re.compile(rf"/grading/attempts/{data['oldest']}"))
    expect(desk.get_by_role("link", name=words["previous"])).to_have_count(0)

    # The graded test is reached from Luis's page.
    desk.goto(f"{live_server}/students/{data['first_student']}")
    assert_accessible(desk)
    desk.get_by_test_id("test-link").click()
    expect(desk).to_have_url(re.compile(rf"/grading/attempts/{data['first']}$"))
    expect(desk.locator(".score")).to_contain_text("100.0 %")
    phone.context.close()
    desk.context.close()


def test_the_gradebook_in_spanish_on_a_phone(live_app, live_server, browser):
    data = seed(live_app)
    page = sign_in(browser, live_server, data["teacher"], "es-MX", PHONE)
    page.goto(f"{live_server}/grading/gradebook")
    expect(page.get_by_role("heading", name="Libro de calificaciones")).to_be_visible()
    page.get_by_label("Nombre del estudiante").fill("GARCÍA")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.get_by_test_id("gradebook-row")).to_have_count(2)
    expect(page.get_by_test_id("gradebook-row").first.locator('[data-unit="1"]')).to_contain_text(
        re.compile("Sin empezar|Por calificar")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    page.get_by_role("link", name="Solicitudes de aprobación").click()
    expect(page.get_by_role("heading", name="Solicitudes de aprobación")).to_be_visible()
    assert_accessible(page)
    page.context.close()
