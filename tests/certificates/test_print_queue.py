"""A certificate issued from its credit page is signed at once; its PDF is printed by the job
queue, and the download says so until it is ready."""

from sqlalchemy import select

from app.certificates.models import Certificate, CertificatePrint
from app.certificates.services import issue_certificate, print_certificates
from app.certificates.tasks import print_unprinted_certificates
from app.extensions import db
from tests.certificates.helpers import awarded, pdf_text


def test_the_issue_page_signs_now_and_the_queue_prints_the_pdf(world, auth, client):
    award = awarded(world)
    auth.login(world["coord_tx"])
    issued = client.post(f"/certificates/awards/{award.id}/issue")
    assert issued.status_code == 302
    cert = db.session.scalars(
        select(Certificate).where(Certificate.credit_award_id == award.id)
    ).one()
    assert cert.credential["proof"] and cert.credential_jwt
    # The tests run queued tasks at once: the PDF was printed after the commit.
    assert cert.print_id is not None and cert.page_number == 1
    download = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert cert.serial in pdf_text(download.data)


def test_until_the_pdf_is_printed_the_download_says_it_is_being_prepared(world, auth, client):
    cert = issue_certificate(awarded(world), world["coord_tx"], render=False)
    db.session.commit()
    assert cert.print_id is None
    auth.login(world["coord_tx"])
    waiting = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert waiting.status_code == 202
    assert waiting.headers["Refresh"] == "2"
    assert "The PDF is being prepared" in waiting.get_data(as_text=True)
    detail = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert "The PDF is being prepared; it is ready in a moment." in detail
    spanish = client.get(
        f"/certificates/{cert.id}/certificate.pdf", headers={"Accept-Language": "es"}
    )
    assert "El PDF se está preparando" in spanish.get_data(as_text=True)
    verify = client.get(f"/verify/{cert.code}", headers={"Accept": "application/json"})
    assert verify.get_json()["status"] == "valid"  # valid before its PDF exists

    (printed,) = print_certificates([cert.id])
    db.session.commit()
    assert printed.id == cert.id
    ready = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert ready.status_code == 200 and cert.serial in pdf_text(ready.data)


def test_a_certificate_is_printed_once_however_often_it_is_queued(world):
    cert = issue_certificate(awarded(world), world["coord_tx"], render=False)
    db.session.commit()
    assert [c.id for c in print_certificates([cert.id])] == [cert.id]
    assert print_certificates([cert.id]) == []
    db.session.commit()
    runs = db.session.scalar(
        select(CertificatePrint.page_count).where(CertificatePrint.id == cert.print_id)
    )
    assert runs == 1


def test_the_watcher_prints_what_a_dead_worker_left(world):
    cert = issue_certificate(awarded(world), world["coord_tx"], render=False)
    db.session.commit()
    assert print_unprinted_certificates(at_start=False) == []  # issued just now: still queued
    assert print_unprinted_certificates(at_start=True) == [cert.id]
    db.session.refresh(cert)
    assert cert.print_id is not None
