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


def test_a_batch_cut_into_print_runs_gives_each_certificate_its_own_pdf(world, monkeypatch):
    """Three print runs (two pages a run), rendered at once; each
    certificate's PDF is its own page: its QR, its serial, its signed credential attached."""
    from app.certificates import documents
    from app.certificates.services import issue_certificates

    monkeypatch.setattr(documents, "RUN_SIZE", 2)
    awards = [awarded(world, given_name=f"Ana{i}", family_name="Ruiz") for i in range(5)]
    certs = issue_certificates(awards, world["coord_tx"])
    assert len({c.print_id for c in certs}) == 3
    assert [c.page_number for c in certs] == [1, 2, 1, 2, 1]
    for i, cert in enumerate(certs):
        pdf = load_certificate_pdf(cert)
        assert pdf_pages(pdf) == 1
        assert pdf_qr_codes(pdf) == [f"https://puente.example.org/verify/{cert.code}"]
        text = pdf_text(pdf)
        assert f"Ana{i} Ruiz" in text and cert.serial in text
        assert documents.credential_from_pdf(pdf)["proof"] == cert.credential["proof"]


def test_issuing_many_reads_with_as_many_queries_as_issuing_one(world):
    """Awards are loaded with their students, sites, courses and units in a few queries."""
    from app.certificates.services import issue_certificates
    from app.credits.models import CreditAward
    from tests.query_counter import count_queries

    # The first issue also makes the status list and the signing key: warm up, then count.
    batches = [[awarded(world).id for _ in range(n)] for n in (1, 1, 4)]
    coordinator_id = world["coord_tx"].id
    db.session.expunge_all()  # nothing issuing reads is loaded yet
    coordinator = db.session.get(type(world["coord_tx"]), coordinator_id)
    reads = []
    for ids in batches:
        awards = list(db.session.scalars(select(CreditAward).where(CreditAward.id.in_(ids))))
        with count_queries() as statements:
            issue_certificates(awards, coordinator)
        # Left out: notify() looks up each recipient's delivery preference (notifications).
        reads.append(
            sum(
                1
                for s in statements
                if s.lstrip().upper().startswith("SELECT") and "notification_preference" not in s
            )
        )
    assert reads[1] == reads[2], reads
