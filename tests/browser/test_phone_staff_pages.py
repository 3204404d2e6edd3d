"""Staff pages on a 390 px phone: Grade, Approve, Paper scores and the certificate's Spanish half
are on the screen, clickable, and no page scrolls sideways (cards instead of wide tables)."""

import re

import pytest
from playwright.sync_api import expect

from app.credits.services import award_credit
from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.browser.test_records_move import factories_password

pytestmark = pytest.mark.own_databases  # a live server on its own database

WIDTH = 390


@pytest.fixture
def seeded(live_app):
    with live_app.app_context():
        site = factories.make_site("US-TX", name="Rio Grande Valley PASS Center")
        course = factories.make_course_version("ALG1A")
        teacher = factories.make_user(Role.TEACHER, site)
        coordinator = factories.make_user(Role.COORDINATOR, state_code="US-TX")
        student = factories.make_student(site, with_user=False, given_name="Guadalupe")
        enrollment = factories.make_enrollment(student, course, teacher)
        attempt = factories.make_submitted_test(enrollment.units[0])
        graduate = factories.make_student(site, with_user=False, given_name="Maximiliano")
        finished = factories.make_enrollment(graduate, course, teacher)
        for progress in finished.units:
            factories.pass_unit(progress)
        cert = factories.make_certificate(award_credit(finished, coordinator), coordinator)
        db.session.commit()
        return {
            "teacher": teacher.email,
            "coordinator": coordinator.email,
            "student": student.id,
            "attempt": attempt.id,
            "cert": cert.id,
        }


def phone(browser, base: str, email: str):
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^Email", re.I)).fill(email)
    page.get_by_label(re.compile("^Password", re.I)).fill(factories_password())
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def assert_fits(page) -> None:
    """Nothing wider than the phone: the page does not scroll sideways."""
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} px wide"


def assert_on_screen(locator) -> None:
    """Visible, and wholly inside the phone's width (reachable without scrolling sideways)."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box


def test_grade_approve_and_paper_scores_on_a_phone(browser, live_server, seeded):
    page = phone(browser, live_server, seeded["teacher"])
    page.goto(f"{live_server}/grading/")
    assert_fits(page)
    grade = page.get_by_role("link", name="Grade", exact=True)
    assert_on_screen(grade)
    assert_accessible(page)
    grade.click()
    expect(page).to_have_url(re.compile(rf"/grading/attempts/{seeded['attempt']}$"))
    assert_fits(page)
    assert_on_screen(page.get_by_role("button", name="Save grades"))

    page.goto(f"{live_server}/students/{seeded['student']}")
    assert_fits(page)
    approve = page.get_by_role("button", name="Approve unit test").first
    assert_on_screen(approve)
    paper = page.get_by_role("link", name="Enter paper scores").first
    assert_on_screen(paper)
    assert_accessible(page)
    approve.click()
    expect(page.get_by_role("button", name="Approve unit test")).to_have_count(4)  # one less
    page.get_by_role("link", name="Enter paper scores").first.click()
    assert_fits(page)
    assert_on_screen(page.get_by_role("button", name="Record scores"))
    assert_accessible(page)
    page.context.close()


def test_the_certificates_spanish_half_on_a_phone(browser, live_server, seeded):
    page = phone(browser, live_server, seeded["coordinator"])
    page.goto(f"{live_server}/certificates/{seeded['cert']}")
    assert_fits(page)
    assert_on_screen(page.locator(".certificate-preview td[lang='es']").first)
    assert_accessible(page)
    page.context.close()
