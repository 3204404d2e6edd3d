"""DCC's verifier-core (and Digital Bazaar's vc with the Bitstring Status List check) read a
revocation through Puente's status list, served by a live installation."""

import pytest
from sqlalchemy import select

from app.certificates.models import Certificate
from app.certificates.services import revoke_certificate
from app.extensions import db
from app.users.models import User
from tests.certificates.interop import run_verifiers
from tests.certificates.test_interop import served  # noqa: F401  (the live installation)

pytestmark = pytest.mark.own_databases


def test_verifier_core_reports_a_revoked_credential_as_revoked(served):  # noqa: F811
    installation, credentials = served
    before = run_verifiers(installation.url, credentials)["credentials"]
    for result in before:
        assert result["verifier_core"]["signature"] is True, result
        assert result["verifier_core"]["revocation"]["valid"] is True, result
    with installation.context():
        revoked_id = credentials[1]["id"]
        cert = db.session.scalar(
            select(Certificate).where(Certificate.code == revoked_id.rsplit("/", 1)[1])
        )
        coordinator = db.session.get(User, cert.issued_by_id)
        revoke_certificate(cert, coordinator, "Issued to the wrong student")
        db.session.commit()
    after = run_verifiers(installation.url, credentials)["credentials"]
    valid, revoked = after
    assert valid["verifier_core"]["revocation"]["valid"] is True, valid
    assert valid["verifier_core"]["errors"] == [], valid
    assert revoked["verifier_core"]["signature"] is True, revoked  # signed, and revoked
    assert revoked["verifier_core"]["revocation"]["valid"] is False, revoked
    assert valid["digitalbazaar"] == {"verified": True, "error": None}, valid
