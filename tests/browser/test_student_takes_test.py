"""A student signs in, answers a unit test in the browser, resumes on another device, sees the score."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.learning.services import approve_unit_test
from app.users.models import Role
from tests import factories

pytestmark = pytest.mark.own_databases  # a live server on its own database


def seed(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX")
        teacher = factories.make_user(Role.TEACHER, site)
        student = factories.make_student(site, given_name="Rosa", family_name="Campos")
        course = factories.make_course_version(code="BROWSER1")
        enrollment = factories.make_enrollment(student, course, teacher)
        progress = enrollment.units[0]
        approve_unit_test(progress, teacher)
        db.session.commit()
        return {"email": student.user.email, "progress_id": progress.id}


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("Email|Correo", re.I)).fill(email)
    page.get_by_label(re.compile("Password|Contraseña", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).to_have_url(re.compile(r"/learn/$"))


def test_student_answers_unit_test_and_sees_score(live_app, live_server, browser):
    data = seed(live_app)
    phone = browser.new_context(locale="en-US")
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    sign_in(page, live_server, data["email"])

    page.goto(f"{live_server}/learn/units/{data['progress_id']}")
    page.get_by_role("button", name="Start the unit test").click()
    expect(page.get_by_role("heading", name=re.compile("Unit 1 test"))).to_be_visible()

    # t1 (choice, answer b) and t2 (numeric 12) autosave as they change; t3 is written.
    page.locator("input[type=radio][value=b]").check()
    expect(page.locator(".item").nth(0).locator("[data-status]")).to_have_text("Sent")
    page.locator("input[inputmode=decimal]").fill("12")
    expect(page.locator(".item").nth(1).locator("[data-status]")).to_have_text("Sent")

    # The same student continues on another device: the saved answers are there.
    laptop = browser.new_context(locale="es-MX")
    laptop.set_default_timeout(10_000)
    other = laptop.new_page()
    sign_in(other, live_server, data["email"])
    other.goto(f"{live_server}/learn/units/{data['progress_id']}/test")
    expect(other.locator("input[type=radio][value=b]")).to_be_checked()
    expect(other.locator("input[inputmode=decimal]")).to_have_value("12")
    other.locator("textarea").fill("Sumo las dos cantidades y explico cada paso.")
    other.once("dialog", lambda dialog: dialog.accept())
    other.get_by_role("button", name="Entregar").click()

    score = other.get_by_test_id("auto-score")
    expect(score).to_contain_text("2 de 2")
    expect(other.get_by_test_id("result")).to_contain_text("maestro")
    laptop.close()
    phone.close()
