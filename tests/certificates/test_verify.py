"""Public verification with no account; revoking and reissuing; bulk issue; students' own copies."""

import io
import zipfile

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.certificates.services import issue_certificate
from app.credits.services import award_credit
from app.extensions import db, limiter
from tests import factories
from tests.certificates.helpers import awarded


def test_anyone_verifies_a_valid_certificate_in_html_and_json(world, client):
    cert = issue_certificate(
        awarded(world, given_name="Rosa", family_name="Campos"), world["coord_tx"]
    )
    db.session.commit()
    page = client.get(f"/verify/{cert.display_code.lower()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-status="valid"' in html and "Valid · Válido" in html
    assert "Rosa Campos" in html and cert.serial in html
    report = client.get(f"/verify/{cert.code}", headers={"Accept": "application/json"}).get_json()
    assert report["status"] == "valid"
    assert report["serial"] == cert.serial
    assert report["facts"]["result"]["letter"] == "C"
    assert report["facts"]["result"]["sep_grade"] == 7.5
    assert client.get(report["credential"]).get_json() == cert.credential


def test_an_unknown_code_says_unknown(client):
    html = client.get("/verify/AAAA-BBBB-CCCC-DDDD")
    assert html.status_code == 404 and 'data-status="unknown"' in html.get_data(as_text=True)
    report = client.get("/verify/nonsense", headers={"Accept": "application/json"})
    assert report.status_code == 404 and report.get_json()["status"] == "unknown"


def test_verification_is_rate_limited(client, app):
    limiter.reset()
    statuses = [client.get(f"/verify/AAAA-BBBB-CCCC-{n:04d}").status_code for n in range(35)]
    assert statuses[:30] == [404] * 30
    assert statuses[-1] == 429


def test_revoking_needs_a_reason_and_shows_at_once(world, auth, client):
    cert = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    auth.login(world["coord_tx"])
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "  "})
    db.session.refresh(cert)
    assert cert.revoked_at is None
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "Issued to the wrong student"})
    db.session.refresh(cert)
    assert cert.revoked_at is not None and cert.revoked_by_id == world["coord_tx"].id
    report = client.get(f"/verify/{cert.code}", headers={"Accept": "application/json"}).get_json()
    assert report["status"] == "revoked"
    assert report["revoke_reason"] == "Issued to the wrong student"
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert 'data-status="revoked"' in html and "Issued to the wrong student" in html
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "certificate", AuditEvent.object_id == cert.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["certificate.issued", "certificate.revoked"]


def test_reissuing_after_a_grade_correction_revokes_and_links_the_old_one(world):
    award = awarded(world, passed=4)
    old = issue_certificate(award, world["coord_tx"])
    enrollment = award.enrollment
    factories.pass_unit(enrollment.units[4])  # the fifth unit is entered later
    new_award = award_credit(enrollment, world["coord_tx"])
    new = issue_certificate(new_award, world["coord_tx"])
    db.session.refresh(old)
    assert old.revoked_at is not None and old.replaced_by_id == new.id
    assert new.serial in old.revoke_reason
    assert new.facts["result"]["units_passed"] == 5 and old.facts["result"]["units_passed"] == 4


def test_a_coordinator_issues_every_pending_certificate_of_their_state(world, auth, client):
    mine = [awarded(world, site="tx1"), awarded(world, site="tx2")]
    other_state = awarded(world, site="nd", coordinator="coord_nd")
    db.session.commit()
    auth.login(world["coord_tx"])
    page = client.get("/certificates/").get_data(as_text=True)
    assert "2 credit awards are waiting for a certificate." in page
    response = client.post("/certificates/issue-pending")
    assert response.status_code == 302
    issued = db.session.scalars(select(Certificate.credit_award_id)).all()
    assert sorted(issued) == sorted(a.id for a in mine)
    assert other_state.id not in issued
    progress = client.get(response.headers["Location"] + ".json").get_json()
    assert progress == {
        "status": "done",
        "total": 2,
        "issued": 2,
        "failed": 0,
        "failures": [],
        "finished": True,
    }
    job_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "certificates.zip" in job_page
    archive = client.get(response.headers["Location"] + "/certificates.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        names = zipped.namelist()
    assert len([n for n in names if n.startswith("credentials/")]) == 4  # JSON and VC-JWT
    assert len([n for n in names if n.endswith(".pdf")]) == 1
    auth.logout()
    auth.login(world["coord_nd"])
    assert client.get(response.headers["Location"]).status_code == 403


def test_a_bulk_job_reports_what_failed_and_why(world, auth, client, app, monkeypatch):
    awards = [awarded(world), awarded(world, given_name="Inés")]
    db.session.commit()
    monkeypatch.setitem(app.config, "WKHTMLTOPDF", "/bin/false")  # the PDF renderer breaks
    auth.login(world["coord_tx"])
    job_url = client.post("/certificates/issue-pending").headers["Location"]
    progress = client.get(job_url + ".json").get_json()
    assert (progress["status"], progress["issued"], progress["failed"]) == ("done", 0, 2)
    assert [f["award_id"] for f in progress["failures"]] == [a.id for a in awards]
    assert "wkhtmltopdf" in progress["failures"][0]["reason"]
    assert "Inés" in client.get(job_url).get_data(as_text=True)
    assert db.session.scalars(select(Certificate)).all() == []


def test_students_download_only_their_own_certificates(world, auth, client):
    cert = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    owner = cert.student.user
    auth.login(owner)
    assert cert.serial in client.get("/certificates/mine").get_data(as_text=True)
    pdf = client.get(f"/certificates/{cert.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/certificates/{cert.id}/credential.json").get_json() == cert.credential
    auth.logout()
    auth.login(world["student_tx2"].user)
    assert client.get(f"/certificates/{cert.id}/certificate.pdf").status_code == 403
