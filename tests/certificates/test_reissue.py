"""A revoked certificate is replaced: the two link to each other on every public surface."""

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.certificates.services import issue_certificate, pending_awards, revoke_certificate
from app.extensions import db
from tests.certificates.helpers import awarded

JSON = {"Accept": "application/json"}


def test_a_revoked_certificate_is_replaced_from_the_credit_page(world, auth, client):
    award = awarded(world)
    old = issue_certificate(award, world["coord_tx"])
    revoke_certificate(old, world["coord_tx"], "Printed with the wrong site")
    db.session.commit()
    auth.login(world["coord_tx"])
    page = client.get(f"/credits/enrollments/{award.enrollment_id}").get_data(as_text=True)
    assert "Issue a replacement certificate for the current credit" in page
    issued = client.post(f"/certificates/awards/{award.id}/issue")
    assert issued.status_code == 302
    new = db.session.scalars(
        select(Certificate).where(Certificate.credit_award_id == award.id, Certificate.id != old.id)
    ).one()
    db.session.refresh(old)
    assert new.revoked_at is None and old.replaced_by_id == new.id
    assert new.status_index != old.status_index

    old_report = client.get(f"/verify/{old.code}", headers=JSON).get_json()
    assert old_report["status"] == "revoked"
    assert old_report["replaced_by"]["serial"] == new.serial
    assert old_report["replaced_by"]["url"].endswith(f"/verify/{new.code}")
    new_report = client.get(f"/verify/{new.code}", headers=JSON).get_json()
    assert new_report["status"] == "valid"
    assert new_report["replaces"] == {
        "serial": old.serial,
        "url": f"https://puente.example.org/verify/{old.code}",
    }
    html = client.get(f"/verify/{new.code}").get_data(as_text=True)
    assert "data-replaces" in html and old.serial in html
    old_html = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "Replaced by" in old_html and new.serial in old_html
    replaced = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.replaced")
    ).all()
    assert [e.data["replaced_by"] for e in replaced] == [new.serial]


def test_a_valid_certificate_is_not_issued_twice(world, auth, client):
    award = awarded(world)
    issue_certificate(award, world["coord_tx"])
    db.session.commit()
    auth.login(world["coord_tx"])
    page = client.get(f"/credits/enrollments/{award.enrollment_id}").get_data(as_text=True)
    assert f"/certificates/awards/{award.id}/issue" not in page
    refused = client.post(f"/certificates/awards/{award.id}/issue")
    assert refused.status_code == 303  # back to the credit page, with the reason
    count = db.session.scalar(
        select(func.count()).select_from(Certificate).where(Certificate.credit_award_id == award.id)
    )
    assert count == 1


def test_a_revoked_award_is_not_reissued_by_the_bulk_job(world):
    award = awarded(world)
    revoke_certificate(issue_certificate(award, world["coord_tx"]), world["coord_tx"], "fraud")
    pending = db.session.scalars(pending_awards(world["coord_tx"])).all()
    assert award not in pending
