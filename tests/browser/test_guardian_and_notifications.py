"""Journeys in a real browser: a guardian invited by a teacher reads their child's record
(Spanish first, on a 390 px phone, then in English); a teacher and a student follow their
notifications (mail read from a real SMTP server), choose what they receive, mark them read."""

import re

import pytest
from playwright.sync_api import expect

from app.credits.services import award_credit
from app.extensions import db
from app.learning.notices import notify_handed_in
from app.notifications.tasks import mail_waiting_notifications
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.smtp import body, link_in

pytestmark = pytest.mark.own_databases  # a live server on its own database

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "el cuaderno de mi hija"


@pytest.fixture
def live_mail(live_app, live_server, mail_server):
    live_app.config["PUBLIC_BASE_URL"] = live_server
    state = live_app.extensions["mailman"]
    state.server, state.port = "127.0.0.1", mail_server.port
    return mail_server


def sign_in(browser, base, email, locale="en-US", viewport=None):
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("^(Sign in|Iniciar sesión)$")).click()
    expect(page).not_to_have_url(re.compile("/login"))
    return page


def fits(page, width=390) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def seed_guardian_story(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site)
        coordinator = factories.make_user(Role.COORDINATOR, state_code="US-TX")
        child = factories.make_student(site, given_name="Ana", family_name="García")
        other = factories.make_student(site, given_name="Luis", family_name="Hernández")
        course = factories.make_course_version()
        enrollment = factories.make_enrollment(child, course, teacher)
        factories.pass_unit(enrollment.units[0])
        factories.make_certificate(award_credit(enrollment, coordinator), coordinator)
        db.session.commit()
        return {"teacher": teacher.email, "child": child.id, "other": other.id}


def test_a_guardian_invited_by_the_teacher_reads_the_childs_record(
    live_app, live_server, live_mail, browser
):
    data = seed_guardian_story(live_app)
    staff = sign_in(browser, live_server, data["teacher"])
    staff.goto(f"{live_server}/students/{data['child']}")
    staff.locator("#guardian-email").fill("rosa.garcia@example.org")
    staff.locator("#guardian-given_name").fill("Rosa")
    staff.locator("#guardian-family_name").fill("García")
    staff.locator("#guardian-relation").fill("madre")
    assert_accessible(staff)
    staff.get_by_role("button", name="Invite the guardian").click()
    expect(staff.locator(".flash-success")).to_contain_text("rosa.garcia@example.org")
    expect(staff.get_by_test_id("guardian")).to_contain_text("Rosa García")

    message = live_mail.wait_for("rosa.garcia@example.org")
    assert "Hola, Rosa" in body(message)  # Spanish first
    phone = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    phone.set_default_timeout(15_000)
    guardian = phone.new_page()
    guardian.goto(link_in(message))
    guardian.locator("#password").fill(NEW_PASSWORD)
    guardian.locator("#confirm").fill(NEW_PASSWORD)
    guardian.get_by_role(
        "button", name=re.compile("Save the password|Guardar la contraseña")
    ).click()
    expect(guardian).to_have_url(re.compile(r"/family/$"))
    expect(guardian.get_by_role("heading", level=1)).to_have_text("Mi familia")
    assert_accessible(guardian)
    assert fits(guardian)

    guardian.get_by_test_id("child").click()
    expect(guardian.get_by_role("heading", level=1)).to_have_text("Ana García")
    expect(guardian.get_by_test_id("family-course")).to_contain_text("1 de 5 unidades aprobadas")
    expect(guardian.get_by_test_id("family-credit")).to_contain_text("Crédito otorgado")
    expect(guardian.get_by_test_id("family-certificates")).to_contain_text("Verificarlo")
    assert guardian.get_by_test_id("family-unit").count() == 5
    assert_accessible(guardian)
    assert fits(guardian)

    guardian.get_by_role("button", name="English").click()
    expect(guardian.get_by_role("heading", name="Courses and progress")).to_be_visible()
    assert_accessible(guardian)

    # Read-only, and only their own child.
    other = guardian.goto(f"{live_server}/family/students/{data['other']}")
    assert other.status == 404
    staff_only = guardian.goto(f"{live_server}/students/{data['child']}")
    assert staff_only.status == 403

    # CSRF: an invitation posted without the form's token is refused and links no one.
    forged = staff.request.post(
        f"{live_server}/family/students/{data['other']}/guardians",
        form={"guardian-email": "rosa.garcia@example.org", "guardian-locale": "es"},
    )
    assert forged.status == 400
    assert guardian.goto(f"{live_server}/family/students/{data['other']}").status == 404

    # The teacher removes the access; the guardian's page is gone.
    staff.reload()
    staff.get_by_role("button", name="Remove access for Rosa García").click()
    expect(staff.locator(".flash-success")).to_contain_text("no longer sees this student")
    gone = guardian.goto(f"{live_server}/family/students/{data['child']}")
    assert gone.status == 404
    phone.close()


def seed_notification_story(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site, given_name="Elena")
        student = factories.make_student(site, given_name="Ana", family_name="García")
        student.user.locale = "es"
        enrollment = factories.make_enrollment(student, factories.make_course_version(), teacher)
        attempt = factories.make_submitted_test(enrollment.units[0])
        notify_handed_in(attempt)
        item = next(a.item for a in attempt.answers if a.item.kind == "open")
        db.session.commit()
        mail_waiting_notifications()  # what the job worker does once the hand-in commits
        return {
            "teacher": teacher.email,
            "student": student.user.email,
            "attempt": attempt.id,
            "item": item.id,
        }


def test_teacher_and_student_follow_their_notifications(live_app, live_server, live_mail, browser):
    data = seed_notification_story(live_app)
    assert "Ana García handed in the test" in body(live_mail.wait_for(data["teacher"]))

    teacher = sign_in(browser, live_server, data["teacher"])
    expect(teacher.get_by_test_id("unread-count")).to_contain_text("1")
    teacher.get_by_test_id("notifications-link").click()
    expect(teacher.get_by_test_id("notification")).to_contain_text("Ana García handed in")
    assert_accessible(teacher)
    teacher.get_by_role("button", name="Open").click()
    expect(teacher).to_have_url(re.compile(rf"/grading/attempts/{data['attempt']}$"))
    expect(teacher.get_by_test_id("unread-count")).to_have_count(0)
    teacher.locator(f"#score-{data['item']}").fill("2")
    teacher.get_by_role("button", name="Save grades").click()

    # The grade committed, then the mail job wrote to the student, in Spanish.
    graded = live_mail.wait_for(data["student"])
    assert "fue calificado: 100.0 %" in body(graded)

    teacher.goto(f"{live_server}/notifications/")
    teacher.get_by_role("link", name="Choose what you receive").click()
    group = teacher.get_by_role("group", name="A student hands in a test to grade")
    group.get_by_label("A daily email digest and this page").check()
    assert_accessible(teacher)
    teacher.get_by_role("button", name="Save my choices").click()
    expect(teacher.locator(".flash-success")).to_contain_text("Your choices are saved.")
    expect(group.get_by_label("A daily email digest and this page")).to_be_checked()

    student = sign_in(browser, live_server, data["student"], locale="es-MX", viewport=PHONE)
    expect(student.get_by_test_id("unread-count")).to_contain_text("1")
    student.get_by_test_id("notifications-link").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Avisos")
    expect(student.get_by_test_id("notification")).to_contain_text("fue calificado")
    assert_accessible(student)
    assert fits(student)
    student.get_by_role("button", name="Marcar todo como leído").click()
    expect(student.locator(".flash-success")).to_contain_text("1 avisos marcados como leídos")
    expect(student.get_by_test_id("unread-count")).to_have_count(0)
    # CSRF: the same posts without the form's token are refused.
    for path in ("/notifications/read-all", "/notifications/preferences"):
        assert student.request.post(f"{live_server}{path}").status == 400
    student.get_by_role("link", name="Elige qué recibes").click()
    expect(student.get_by_role("heading", level=1)).to_have_text("Qué recibes")
    assert_accessible(student)
    assert fits(student)
