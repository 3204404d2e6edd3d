"""The W3C Bitstring Status List: each credential's entry, the signed public list, revocation."""

import base64
import gzip

from sqlalchemy import func, select

from app.certificates.integrity import proofs_of, verify_proof
from app.certificates.models import STATUS_INDEXES, StatusList
from app.certificates.services import issue_certificates, revoke_certificate
from app.certificates.signing import public_key_from_multibase
from app.extensions import db
from tests.certificates.helpers import awarded

LIST = "https://puente.example.org/status/revocation"


def bits_of(status_list: dict) -> bytes:
    """The list's bits, decoded here on their own (multibase 'u' + base64url, then gzip)."""
    encoded = status_list["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    return gzip.decompress(raw)


def bit(bits: bytes, index: int) -> int:
    return (bits[index // 8] >> (7 - index % 8)) & 1  # index 0 is the leftmost bit


def test_each_credential_carries_its_own_status_list_entry(world):
    certs = issue_certificates([awarded(world) for _ in range(3)], world["coord_tx"])
    indexes = [c.status_index for c in certs]
    assert len(set(indexes)) == 3
    for cert in certs:
        status = cert.credential["credentialStatus"]
        assert status == {
            "id": f"{LIST}#{cert.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(cert.status_index),
            "statusListCredential": LIST,
        }
        assert "PuenteVerificationPage" not in str(cert.credential)
    more = issue_certificates([awarded(world)], world["coord_tx"])
    assert more[0].status_index == max(indexes) + 1


def test_the_public_list_is_signed_and_revoking_flips_the_bit_at_once(world, client):
    certs = issue_certificates([awarded(world) for _ in range(2)], world["coord_tx"])
    db.session.commit()
    first = client.get("/status/revocation")
    assert first.status_code == 200
    listed = first.get_json()
    assert listed["id"] == LIST
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"] == "https://puente.example.org/issuer"
    assert listed["credentialSubject"]["type"] == "BitstringStatusList"
    assert listed["credentialSubject"]["statusPurpose"] == "revocation"
    bits = bits_of(listed)
    assert len(bits) * 8 >= 131_072
    assert not any(bits)
    key = client.get(proofs_of(listed)[0]["verificationMethod"]).get_json()
    assert _verifies(listed, public_key_from_multibase(key["publicKeyMultibase"]))

    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    unchanged = client.get("/status/revocation", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    revoke_certificate(certs[1], world["coord_tx"], "Issued to the wrong student")
    db.session.commit()
    after = client.get("/status/revocation", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    bits = bits_of(after.get_json())
    assert bit(bits, certs[1].status_index) == 1
    assert bit(bits, certs[0].status_index) == 0
    assert sum(bin(b).count("1") for b in bits) == 1
    assert _verifies(after.get_json(), public_key_from_multibase(key["publicKeyMultibase"]))


def test_a_changed_byte_in_the_list_fails_its_signature(world, client):
    issue_certificates([awarded(world)], world["coord_tx"])
    db.session.commit()
    listed = client.get("/status/revocation").get_json()
    key = client.get(proofs_of(listed)[0]["verificationMethod"]).get_json()
    tampered = {**listed, "credentialSubject": {**listed["credentialSubject"]}}
    tampered["credentialSubject"]["encodedList"] = listed["credentialSubject"][
        "encodedList"
    ].replace("A", "B", 1)
    assert not _verifies(tampered, public_key_from_multibase(key["publicKeyMultibase"]))


def test_the_list_grows_by_whole_blocks_when_it_is_full(world, client):
    issue_certificates([awarded(world)], world["coord_tx"])
    as_if_issued(131_072)
    try:
        (cert,) = issue_certificates([awarded(world)], world["coord_tx"])
        assert cert.status_index == 131_072
        revoke_certificate(cert, world["coord_tx"], "test")
        db.session.commit()
        bits = bits_of(client.get("/status/revocation").get_json())
        assert len(bits) * 8 == 2 * 131_072
        assert bit(bits, 131_072) == 1
    finally:
        as_if_issued(0)


def as_if_issued(count: int) -> None:
    """Make the next status index `count`, as if that many certificates had been issued (the
    counter row on SQLite, the sequence on PostgreSQL, which no rollback undoes)."""
    row = db.session.query(StatusList).one_or_none()
    if row is not None:
        row.next_index = count
        db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.setval(STATUS_INDEXES.name, count, False)))


def test_an_unknown_list_is_404(client):
    assert client.get("/status/suspension").status_code == 404


def test_the_list_is_there_before_any_certificate(client):
    listed = client.get("/status/revocation")
    assert listed.status_code == 200
    assert not any(bits_of(listed.get_json()))


def _verifies(document: dict, public_key) -> bool:
    """Whether the document's one proof is a valid signature by `public_key`."""
    (proof,) = proofs_of(document)
    return verify_proof(document, proof, public_key)
