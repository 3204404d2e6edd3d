"""An admin walks the admin pages from the menu: users, sites, course packages, the audit trail,
trusted installations (English on a desktop, Spanish on a 390 px phone)."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.transfers.models import TrustedIssuer
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible
from tests.courses.helpers import copy_mini, edit, zip_packages

pytestmark = pytest.mark.own_databases  # a live server on its own database

WORDS = {
    "en": {
        "admin": "Admin",
        "edit_user": "Edit Laura Vega",
        "active": "Can sign in (active)",
        "given": "Given names",
        "save_user": "Save the user",
        "sites": "Sites",
        "edit_site": "Edit TX-RGV",
        "name": "Name",
        "save_site": "Save the site",
        "packages": "Course packages",
        "package": "Course package (ZIP)",
        "import": "Check and import",
        "nothing": "nothing was imported",
        "audit": "Audit trail",
        "what": "What",
        "filter": "Filter",
        "export": "Export these events (CSV)",
        "trusted": "Trusted installations",
        "reason": "Reason for removing it",
        "remove": "Remove North Dakota Puente",
        "removed": "no longer accepted",
    },
    "es": {
        "admin": "Administración",
        "edit_user": "Editar Laura Vega",
        "active": "Puede iniciar sesión (activo)",
        "given": "Nombre(s)",
        "save_user": "Guardar el usuario",
        "sites": "Sedes",
        "edit_site": "Editar TX-RGV",
        "name": "Nombre",
        "save_site": "Guardar la sede",
        "packages": "Paquetes de curso",
        "package": "Paquete de curso (ZIP)",
        "import": "Revisar e importar",
        "nothing": "nada se importó",
        "audit": "Registro de auditoría",
        "what": "Qué",
        "filter": "Filtrar",
        "export": "Exportar estos eventos (CSV)",
        "trusted": "Instalaciones de confianza",
        "reason": "Motivo para quitarla",
        "remove": "Quitar North Dakota Puente",
        "removed": "Ya no se aceptan",
    },
}


def seed(app) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX", code="TX-RGV", name="Rio Grande Valley")
        admin = factories.make_user(Role.ADMIN, given_name="Ana", family_name="Reyes")
        factories.make_user(Role.TEACHER, site, given_name="Laura", family_name="Vega")
        db.session.add(
            TrustedIssuer(
                issuer="https://nd.puente.example/issuer",
                name="North Dakota Puente",
                public_key_multibase="z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
                added_by_id=admin.id,
            )
        )
        db.session.commit()
        return {"admin": admin.email}


def sign_in(browser, base, email, locale, **options):
    context = browser.new_context(locale=locale, accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^(Email|Correo)", re.I)).fill(email)
    page.get_by_label(re.compile("^(Password|Contraseña)", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


@pytest.mark.parametrize(
    ("language", "options"),
    [
        ("en", {}),
        ("es", {"viewport": {"width": 390, "height": 844}, "is_mobile": True}),
    ],
    ids=["english-desktop", "spanish-phone"],
)
def test_an_admin_walks_every_admin_page(
    live_app, live_server, browser, tmp_path, language, options
):
    w = WORDS[language]
    data = seed(live_app)
    locale = "en-US" if language == "en" else "es-MX"
    page = sign_in(browser, live_server, data["admin"], locale, **options)
    nav = page.get_by_role("navigation", name=re.compile("Main|Principal"))
    nav.get_by_role("link", name=w["admin"], exact=True).click()
    assert_accessible(page)

    # Users: edit a teacher, deactivate them.
    page.get_by_role("link", name=w["edit_user"]).click()
    assert_accessible(page)
    page.get_by_label(w["given"]).fill("Laura Elena")
    page.get_by_label(w["active"]).uncheck()
    page.get_by_role("button", name=w["save_user"]).click()
    expect(page.get_by_role("status")).to_contain_text("Laura Elena")

    # Sites.
    sub = page.get_by_role("navigation", name=w["admin"])
    sub.get_by_role("link", name=w["sites"]).click()
    page.get_by_role("link", name=w["edit_site"]).click()
    assert_accessible(page)
    page.get_by_label(w["name"], exact=True).fill("Rio Grande Valley PASS Center")
    page.get_by_role("button", name=w["save_site"]).click()
    expect(page.get_by_text("Rio Grande Valley PASS Center")).to_be_visible()

    # Course packages: a broken ZIP lists every problem; a good one is imported.
    page.get_by_role("navigation", name=w["admin"]).get_by_role("link", name=w["packages"]).click()
    assert_accessible(page)
    bad = copy_mini(tmp_path, "bad")
    edit(bad / "course.toml", 'version = "1.0.0"', 'version = "one"')
    bad_zip = tmp_path / "bad.zip"
    bad_zip.write_bytes(zip_packages(bad))
    page.get_by_label(w["package"]).set_input_files(bad_zip)
    page.get_by_role("button", name=w["import"]).click()
    expect(page.get_by_text(re.compile(w["nothing"]))).to_be_visible()
    expect(page.get_by_test_id("problems")).to_contain_text("bad/course.toml")
    assert_accessible(page)
    good_zip = tmp_path / "good.zip"
    good_zip.write_bytes(zip_packages(copy_mini(tmp_path, "good"), nested=False))
    page.get_by_label(w["package"]).set_input_files(good_zip)
    page.get_by_role("button", name=w["import"]).click()
    expect(page.get_by_test_id("versions")).to_contain_text("1.0.0")

    # Trusted installations: remove one, with the reason.
    nav.get_by_role("link", name=w["trusted"]).click()
    page.get_by_label(w["reason"]).fill("Key lost")
    page.get_by_role("button", name=w["remove"]).click()
    expect(page.get_by_role("status")).to_contain_text(w["removed"])
    assert_accessible(page)

    # The audit trail: filtered by what, exported with the same filter.
    page.get_by_role("navigation", name=w["admin"]).get_by_role("link", name=w["audit"]).click()
    page.get_by_label(w["what"]).select_option("user.updated")
    page.get_by_role("button", name=w["filter"]).click()
    table = page.get_by_test_id("audit")
    expect(table).to_contain_text("user.updated")
    expect(table).not_to_contain_text("site.updated")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=w["export"]).click()
    text = tmp_path / "audit.csv"
    download.value.save_as(text)
    rows = list(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8-sig"))))
    assert [row["action"] for row in rows] == ["user.updated"]
    if options:
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.context.close()
