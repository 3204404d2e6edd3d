"""After an installation rotates its key, the installations that trust it find the new key by
its id, through the chain of endorsements from the key they pinned, and nothing else."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from app.certificates.keys import rotate_signing_keys
from app.certificates.models import SigningKey
from app.certificates.signing import public_key_multibase, sign_document
from app.extensions import db
from app.installation import issuer_id, key_id
from app.transfers.models import TrustedIssuer
from tests.transfers.test_peer_api import dakota, inbound_rows, people, signed_in, texas

pytestmark = pytest.mark.own_databases
__all__ = ["dakota", "people", "texas"]  # fixtures


def _texas_as_dakota_trusts_it(dakota, texas) -> TrustedIssuer:
    with dakota.context():
        row = db.session.scalar(
            select(TrustedIssuer).where(TrustedIssuer.issuer == f"{texas.url}/issuer")
        )
        db.session.expunge(row)
        return row


def test_a_move_signed_with_a_rotated_key_is_received(texas, dakota, people):
    with texas.context():
        rotate_signing_keys(None)
        rotate_signing_keys(None)
        db.session.commit()
    teacher = signed_in(texas, people["texas"]["teacher"])
    sent = teacher.post(f"/transfers/moves/{people['move_id']}/send")
    assert sent.status_code == 302, sent.get_data(as_text=True)[-500:]
    (inbound,) = inbound_rows(dakota)
    assert inbound.given_name == "Rosa"
    trusted = _texas_as_dakota_trusts_it(dakota, texas)
    assert set(trusted.rotated_keys) == {"key-2", "key-3"}
    with texas.context():
        published = {k.name: k.public_key_multibase for k in db.session.scalars(select(SigningKey))}
    assert trusted.rotated_keys == {"key-2": published["key-2"], "key-3": published["key-3"]}
    assert trusted.public_key_multibase == published["key-1"]  # still pinned


def test_a_key_not_endorsed_by_the_one_before_is_not_trusted(texas, dakota, people):
    with texas.context():
        rotate_signing_keys(None)  # key-2, endorsed by key-1
        key2 = db.session.scalar(select(SigningKey).where(SigningKey.name == "key-2"))
        # An attacker who controls the server but not the key signs key-2 with a key of its own.
        intruder = Ed25519PrivateKey.generate()
        key2.endorsement = sign_document(
            {**{k: v for k, v in key2.endorsement.items() if k != "proof"}},
            intruder,
            key_id("key-1"),
            "2026-12-02T00:00:00Z",
        )
        assert key2.endorsement["publicKeyMultibase"] != public_key_multibase(intruder)
        assert issuer_id() == f"{texas.url}/issuer"
        db.session.commit()
    teacher = signed_in(texas, people["texas"]["teacher"])
    refused = teacher.post(f"/transfers/moves/{people['move_id']}/send")
    assert inbound_rows(dakota) == []
    assert _texas_as_dakota_trusts_it(dakota, texas).rotated_keys == {}
    assert refused.status_code in (302, 303, 409, 502)
