"""The trust path's pages in a real browser: an admin rotates the signing key, a student opens
their unofficial grade report, anyone verifies a replaced certificate (and each page passes axe)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from app.certificates.services import issue_certificate, revoke_certificate
from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.browser.test_records_move import sign_in
from tests.certificates.helpers import awarded

pytestmark = pytest.mark.own_databases  # a live server on its own database


@pytest.fixture
def seeded(live_app, tmp_path):
    live_app.config["SIGNING_KEY_FILE"] = tmp_path / "signing_key.pem"
    with live_app.app_context():
        world = factories.make_world()
        admin = factories.make_user(Role.ADMIN)
        student = factories.make_student(world["tx1"], given_name="Rosa", family_name="Campos")
        enrollment = factories.make_enrollment(student, world["course"])
        factories.pass_unit(enrollment.units[0], open_points=1.0)
        replaced = issue_certificate(
            awarded(world, birth_date=date(2010, 4, 17), msix_id="987654321098"),
            world["coord_tx"],
        )
        revoke_certificate(replaced, world["coord_tx"], "Printed with the wrong site")
        replacement = issue_certificate(replaced_award(replaced), world["coord_tx"])
        db.session.commit()
        return {
            "admin": admin.email,
            "student": student.user.email,
            "replaced": replaced.code,
            "replacement_serial": replacement.serial,
        }


def replaced_award(cert):
    from app.credits.models import CreditAward

    return db.session.get(CreditAward, cert.credit_award_id)


def test_an_admin_rotates_the_signing_key(browser, live_server, seeded):
    page = sign_in(browser, live_server, seeded["admin"])
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="Signing keys").click()
    expect(page.locator('[data-key="key-1"]')).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Rotate the signing key").click()
    expect(page.get_by_text("key-2 and p256-2 sign new credentials from now on")).to_be_visible()
    for new, old in (("key-2", "key-1"), ("p256-2", "p256-1")):
        expect(page.locator(f'[data-key="{new}"]')).to_contain_text("now: signs new credentials")
        expect(page.locator(f'[data-key="{old}"]')).not_to_contain_text("now: signs")
    assert_accessible(page)


def test_a_student_opens_their_unofficial_grade_report(browser, live_server, seeded):
    page = sign_in(browser, live_server, seeded["student"], locale="es-MX")
    page.get_by_role("link", name="Mi boleta de calificaciones").click()
    expect(page.get_by_text("Boleta de calificaciones NO OFICIAL").first).to_be_visible()
    expect(page.get_by_text("1 de 5 unidades acreditadas")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar la boleta no oficial").click()
    assert download.value.suggested_filename.startswith("grade-report-unofficial-")


def test_anyone_verifies_a_replaced_certificate_without_private_identifiers(
    browser, live_server, seeded
):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server}/verify/{seeded['replaced']}")
    expect(page.locator('[data-status="revoked"]')).to_be_visible()
    link = page.get_by_role("link", name=seeded["replacement_serial"])
    expect(link).to_be_visible()
    assert "987654321098" not in page.content() and "2010-04-17" not in page.content()
    assert_accessible(page)
    link.click()
    expect(page.locator('[data-status="valid"]')).to_be_visible()
    expect(page.locator("[data-replaces]")).to_be_visible()
    assert_accessible(page)
