"""A record moves between two live installations, through the pages, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.certificates.helpers import pdf_qr_codes, pdf_text
from tests.installations import live_installation
from tests.transfers.journeys import seed_dakota, seed_texas

pytestmark = pytest.mark.own_databases
PASSWORD = "correct horse battery staple"


@pytest.fixture
def texas(tmp_path):
    with live_installation(tmp_path, "texas") as installation:
        yield installation


@pytest.fixture
def dakota(tmp_path):
    with live_installation(tmp_path, "dakota") as installation:
        yield installation


def sign_in(browser, base: str, email: str, locale: str = "en-US"):
    context = browser.new_context(locale=locale, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("^(Email|Correo)", re.I)).fill(email)
    page.get_by_label(re.compile("^(Password|Contraseña)", re.I)).fill(factories_password())
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def factories_password() -> str:
    from tests import factories

    return factories.PASSWORD


def copy_issuer_document(browser, installation, admin: str) -> str:
    page = sign_in(browser, installation.url, admin)
    page.get_by_role("link", name="Trusted installations").click()
    document = page.get_by_test_id("own-document").input_value()
    page.context.close()
    return document


def trust(browser, installation, admin: str, document: str) -> None:
    page = sign_in(browser, installation.url, admin)
    page.get_by_role("link", name="Trusted installations").click()
    page.get_by_label(re.compile("issuer document")).fill(document)
    page.get_by_role("button", name="Trust").click()
    expect(page.get_by_text(re.compile("are now accepted"))).to_be_visible()
    page.context.close()


def move_by_file(browser, texas, dakota, tmp_path) -> tuple[dict, dict, object]:
    """Export in Texas, trust in North Dakota, import through the pages (in Spanish)."""
    tx, nd = seed_texas(texas), seed_dakota(dakota)
    # Texas's admin copies the issuer document; North Dakota's admin trusts it.
    trust(browser, dakota, nd["admin"], copy_issuer_document(browser, texas, tx["admin"]))

    teacher = sign_in(browser, texas.url, tx["teacher"])
    teacher.goto(f"{texas.url}/students/{tx['student_id']}")
    with teacher.expect_download() as download:
        teacher.get_by_role("link", name="Export the transfer package").first.click()
    package = tmp_path / "rosa.json"
    download.value.save_as(package)

    coordinator = sign_in(browser, dakota.url, nd["coordinator"], locale="es-MX")
    coordinator.get_by_role("link", name="Estudiantes", exact=True).click()
    coordinator.get_by_role("link", name="Importar el expediente de un estudiante").click()
    coordinator.get_by_label(re.compile("Paquete de transferencia")).set_input_files(package)
    coordinator.get_by_role("button", name="Revisar el paquete").click()
    expect(coordinator.get_by_text(re.compile("Firma válida"))).to_be_visible()
    coordinator.get_by_role("button", name="Importar el expediente").click()

    expect(coordinator.get_by_role("heading", name="Rosa Campos")).to_be_visible()
    sites = coordinator.get_by_test_id("completed-site")
    expect(sites.nth(0)).to_have_text("Rio Grande Valley PASS Center (US-TX)")
    expect(sites.nth(2)).to_have_text("Rio Grande Valley PASS Center (US-TX)")
    expect(sites.nth(3)).to_have_text("—")  # unit 4 continues here
    expect(coordinator.get_by_text("Red River Valley Summer Program (US-ND)").first).to_be_visible()
    return tx, nd, coordinator


def test_a_record_moves_by_file_through_the_pages(browser, texas, dakota, tmp_path):
    move_by_file(browser, texas, dakota, tmp_path)


def test_the_student_signs_in_where_the_record_landed_and_finishes_there(
    browser, texas, dakota, tmp_path
):
    tx, nd, coordinator = move_by_file(browser, texas, dakota, tmp_path)
    record_url = coordinator.url

    # North Dakota prints Rosa a sign-in sheet; she opens its QR code on her phone.
    with coordinator.expect_download() as download:
        coordinator.get_by_role("button", name="Imprimir una hoja de acceso (PDF)").click()
    sheet = download.value.path().read_bytes()
    assert "Rosa Campos" in pdf_text(sheet, layout=False)
    (link,) = pdf_qr_codes(sheet)
    assert link.startswith(f"{dakota.url}/password/set/")
    phone = browser.new_context(locale="es-MX")
    phone.set_default_timeout(15_000)
    student = phone.new_page()
    student.goto(link)
    student.get_by_label("Nueva contraseña", exact=True).fill(PASSWORD)
    student.get_by_label("Repite la nueva contraseña").fill(PASSWORD)
    student.get_by_role("button", name="Guardar la contraseña").click()
    expect(student).to_have_url(re.compile(r"/learn/$"))

    # Her North Dakota teacher approves unit 4's test; she takes it there.
    teacher = sign_in(browser, dakota.url, nd["teacher"])
    teacher.goto(record_url)
    teacher.get_by_role("button", name="Approve unit test").first.click()
    student.get_by_role("link", name=re.compile("Álgebra")).first.click()
    student.get_by_role("link", name=re.compile(r"^4\. ")).click()
    student.get_by_role("button", name="Empezar el examen de la unidad").click()
    numbers = student.locator("input[inputmode=decimal]")
    for position, value in enumerate(("8", "2", "20")):
        numbers.nth(position).fill(value)
    student.locator("input[type=radio][value=b]").last.check()
    student.locator("textarea").fill(
        "w(t) = 200 - 8t; w(5) = 160 litros; pierde 8 litros por hora."
    )
    student.once("dialog", lambda dialog: dialog.accept())
    student.get_by_role("button", name="Entregar").click()
    expect(student.get_by_test_id("auto-score")).to_be_visible()

    # The teacher grades the written answer; unit 5 comes back on paper.
    teacher.get_by_role("link", name="Grading").click()
    teacher.get_by_role("link", name="Grade", exact=True).first.click()
    teacher.locator("input[id^=score-]").fill("4")
    teacher.get_by_role("button", name="Save grades").click()
    teacher.goto(record_url)
    teacher.get_by_role("link", name="Enter paper scores").nth(4).click()
    teacher.get_by_label(re.compile("Unit test: percent")).fill("85")
    teacher.get_by_role("button", name="Record scores").click()

    # North Dakota's coordinator awards the credit and issues the certificate.
    coordinator.goto(record_url)
    coordinator.get_by_role("link", name="Créditos", exact=True).last.click()
    coordinator.get_by_role("button", name=re.compile("Otorgar")).click()
    coordinator.get_by_role("button", name=re.compile("Expedir el certificado")).click()
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name=re.compile("Descargar el PDF")).click()
    certificate = " ".join(pdf_text(download.value.path().read_bytes(), layout=False).split())
    assert "Rosa Campos" in certificate and "5 of 5" in certificate
    assert (
        "1–3: Rio Grande Valley PASS Center (US-TX); 4–5: Red River Valley Summer Program (US-ND)"
        in certificate
    )
    phone.close()


def test_a_move_is_sent_directly_and_received_with_one_click(browser, texas, dakota):
    tx, nd = seed_texas(texas), seed_dakota(dakota)
    trust(browser, dakota, nd["admin"], copy_issuer_document(browser, texas, tx["admin"]))
    trust(browser, texas, tx["admin"], copy_issuer_document(browser, dakota, nd["admin"]))

    teacher = sign_in(browser, texas.url, tx["teacher"])
    teacher.goto(f"{texas.url}/students/{tx['student_id']}")
    teacher.get_by_role("link", name="Report a move").click()
    teacher.get_by_label("Destination").select_option("US-ND")
    teacher.get_by_label("Date of the move").fill("2026-12-15")
    teacher.get_by_role("button", name="Report the move").click()
    teacher.get_by_role("button", name="Send the record to Puente dakota").click()
    expect(
        teacher.get_by_text("The notice and the record were sent to Puente dakota.")
    ).to_be_visible()
    expect(teacher.get_by_test_id("sent")).to_be_visible()

    coordinator = sign_in(browser, dakota.url, nd["coordinator"])
    coordinator.get_by_role("link", name="Incoming students").click()
    row = coordinator.get_by_test_id("inbound-move")
    expect(row).to_contain_text("Campos, Rosa")
    expect(row).to_contain_text("2009")
    expect(row).to_contain_text("Rio Grande Valley PASS Center")
    row.get_by_role("button", name="Receive the student").click()
    expect(coordinator.get_by_role("heading", name="Rosa Campos")).to_be_visible()
    expect(coordinator.get_by_test_id("completed-site").nth(0)).to_have_text(
        "Rio Grande Valley PASS Center (US-TX)"
    )
