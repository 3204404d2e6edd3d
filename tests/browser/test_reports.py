"""A coordinator walks the reports in a real browser, in English and Spanish, on a desktop and a
390 px phone: reached from the menu, charts drawn, filters applied, the CSV downloaded."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests import factories
from tests.axe import assert_accessible
from tests.reports.helpers import seed_reports

pytestmark = pytest.mark.own_databases

TITLES = {
    "en-US": ("Reports", ["Progress", "Needs attention", "Program counts"], "Download CSV"),
    "es-MX": ("Informes", ["Avance", "Requiere atención", "Cifras del programa"], "Descargar CSV"),
}


@pytest.fixture
def seeded(live_app):
    with live_app.app_context():
        world = factories.make_world()
        seed_reports(world)
        email = world["coord_tx"].email
        db.session.commit()
    return email


def sign_in(browser, base, email, locale, viewport):
    context = browser.new_context(locale=locale, viewport=viewport, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^(Email|Correo)", re.I)).fill(email)
    page.get_by_label(re.compile("^(Password|Contraseña)", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


@pytest.mark.parametrize(
    "locale,viewport",
    [("en-US", {"width": 1280, "height": 900}), ("es-MX", {"width": 390, "height": 844})],
)
def test_coordinator_walks_the_reports(browser, live_server, seeded, locale, viewport):
    menu, reports, csv_label = TITLES[locale]
    page = sign_in(browser, live_server, seeded, locale, viewport)
    page.get_by_role("navigation", name=re.compile("Main|Principal")).get_by_role(
        "link", name=menu
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(menu)
    assert_accessible(page)
    for title in reports:
        page.get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        charts = page.locator("svg.chart")
        assert charts.count() >= 2
        assert charts.first.bounding_box()["width"] <= viewport["width"]
        assert page.locator("table[data-table]").count() >= 3
        assert_accessible(page)
        with page.expect_download() as download:
            page.get_by_role("link", name=csv_label).click()
        assert download.value.suggested_filename.endswith(".csv")
        page.get_by_role("link", name=menu, exact=True).first.click()
    # The stage counts worked out by hand for the fixture, then a filter narrows them.
    page.goto(f"{live_server}/reports/progress")
    stages = page.locator("table[data-table=stages] tbody tr")
    expect(stages).to_have_count(6)
    expect(stages.nth(1).locator("td")).to_have_text("2")  # in progress: s2 and s5
    page.get_by_label(re.compile("^(Student kind|Tipo de estudiante)")).select_option("osy")
    page.get_by_role("button", name=re.compile("^(Show|Mostrar)$")).click()
    expect(page).to_have_url(re.compile(r"kind=osy"))
    expect(stages.nth(1).locator("td")).to_have_text("1")
    assert_accessible(page)
    # Printing leaves the menu and the filters out.
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("svg.chart").first).to_be_visible()
    page.context.close()
