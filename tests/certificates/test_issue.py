"""Issuing a certificate: a one-page bilingual PDF with the right figures, a QR code, a record."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates.services import issue_certificate, load_certificate_pdf, normalize_code
from app.extensions import db
from tests.certificates.helpers import awarded, pdf_pages, pdf_qr_codes, pdf_text


def test_full_credit_certificate_reads_back_in_both_languages(world):
    award = awarded(world, given_name="Rosa", family_name="Campos Díaz", msix_id="123456789012")
    cert = issue_certificate(award, world["coord_tx"])
    assert pdf_pages(load_certificate_pdf(cert)) == 1
    text = " ".join(pdf_text(load_certificate_pdf(cert)).split())
    for expected in (
        "Rosa Campos Díaz",
        "123456789012",
        "Credit Certificate",
        "Certificado de Créditos",
        "This certifies that",
        "Units completed",
        "5 of 5",
        "Unidades",
        "5 de 5",
        "0.5 Carnegie units",
        "75.0 % · C",
        "7.5",
        cert.serial,
        cert.display_code,
        world["tx1"].name,
        "US-TX",
    ):
        assert expected in text, expected
    assert pdf_qr_codes(load_certificate_pdf(cert)) == [
        f"https://puente.example.org/verify/{cert.code}"
    ]
    assert normalize_code(cert.display_code.lower()) == cert.code
    events = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == cert.id, AuditEvent.object_type == "certificate"
        )
    )
    assert list(events) == ["certificate.issued"]


def test_partial_credit_certificate_states_units_and_partial_credit(world):
    cert = issue_certificate(awarded(world, passed=3), world["coord_tx"])
    text = " ".join(pdf_text(load_certificate_pdf(cert)).split())
    assert "3 of 5" in text and "3 de 5" in text
    assert "0.3 Carnegie units · partial" in text
    assert cert.facts["result"]["is_partial"] is True


def test_html_in_a_name_is_printed_as_text_and_fetches_nothing(world):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    hits = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server hook name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        name = f'<img src="http://127.0.0.1:{server.server_port}/x.png">Ana'
        cert = issue_certificate(awarded(world, given_name=name), world["coord_tx"])
        text = " ".join(pdf_text(load_certificate_pdf(cert)).split())
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    assert f'<img src="http://127.0.0.1:{server.server_port}/x.png">Ana' in text
