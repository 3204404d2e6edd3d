"""Signing keys: the Multikey and did:web documents, rotation (admin page and `flask keys
rotate`), older certificates still verifying, backup and restore, refusing to start without."""

import json
import os

import pytest
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select

from app import create_app
from app.audit.models import AuditEvent
from app.certificates.checking import check_file
from app.certificates.credential import issuer_document
from app.certificates.integrity import proofs_of, verify_proof
from app.certificates.keys import SigningKeyMissingError, published_jwt_keys, rotate_signing_keys
from app.certificates.models import SigningKey
from app.certificates.services import issue_certificate
from app.certificates.signing import public_key_from_multibase
from app.extensions import db
from config import TestingConfig
from tests import factories
from tests.certificates.helpers import awarded

BASE = "https://puente.example.org"


@pytest.fixture
def own_key(app, tmp_path, monkeypatch):
    """This test's own key folder (rotations write new key files beside the first)."""
    monkeypatch.setitem(app.config, "SIGNING_KEY_FILE", tmp_path / "signing_key.pem")
    return tmp_path


def _verifies_with_published_key(client, credential) -> bool:
    method = proofs_of(credential)[0]["verificationMethod"]
    key = client.get(method.removeprefix(BASE)).get_json()
    assert key["type"] == "Multikey" and key["controller"] == f"{BASE}/issuer"
    return _verifies(credential, public_key_from_multibase(key["publicKeyMultibase"]))


def test_the_verification_method_dereferences_to_a_multikey(world, client, own_key):
    cert = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    assert proofs_of(cert.credential)[0]["verificationMethod"] == f"{BASE}/issuer/keys/key-1"
    key = client.get("/issuer/keys/key-1")
    assert key.headers["Access-Control-Allow-Origin"] == "*"
    assert key.get_json()["@context"] == "https://w3id.org/security/multikey/v1"
    assert key.get_json()["publicKeyMultibase"].startswith("z6Mk")
    assert _verifies_with_published_key(client, cert.credential)
    assert client.get("/issuer/keys/key-9").status_code == 404


def test_the_issuer_is_also_a_did_web(world, client, own_key):
    did = client.get("/.well-known/did.json").get_json()
    assert did["id"] == "did:web:puente.example.org"
    assert did["alsoKnownAs"] == [f"{BASE}/issuer"]
    (method,) = did["verificationMethod"]
    assert method["id"] == "did:web:puente.example.org#key-1"
    assert method["type"] == "Multikey" and method["controller"] == did["id"]
    issuer_key = client.get("/issuer/keys/key-1").get_json()
    assert method["publicKeyMultibase"] == issuer_key["publicKeyMultibase"]
    assert did["assertionMethod"] == [method["id"]]


def test_an_admin_rotates_the_key_and_older_certificates_still_verify(world, auth, client, own_key):
    old = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    auth.login(world["admin"])
    assert "key-1" in client.get("/admin/keys").get_data(as_text=True)
    rotated = client.post("/admin/keys/rotate")
    assert rotated.status_code == 302
    page = client.get("/admin/keys").get_data(as_text=True)
    assert 'data-key="key-2"' in page and 'data-key="key-1"' in page

    new = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    assert proofs_of(new.credential)[0]["verificationMethod"] == f"{BASE}/issuer/keys/key-2"
    assert _verifies_with_published_key(client, new.credential)
    assert _verifies_with_published_key(client, old.credential)
    k1 = client.get("/issuer/keys/key-1").get_json()["publicKeyMultibase"]
    k2 = client.get("/issuer/keys/key-2").get_json()["publicKeyMultibase"]
    assert k1 != k2
    assert not _verifies(new.credential, public_key_from_multibase(k1))

    listed = {k["id"].rsplit("/", 1)[1]: k for k in client.get("/issuer/keys").get_json()["keys"]}
    assert listed["key-1"]["validUntil"] is not None and listed["key-2"]["validUntil"] is None
    assert listed["key-1"]["validUntil"] <= listed["key-2"]["validFrom"]
    did = client.get("/.well-known/did.json").get_json()
    assert len(did["verificationMethod"]) == 2
    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert {k["kid"] for k in jwks if k["crv"] == "Ed25519"} == {
        f"{BASE}/issuer/keys/key-1",
        f"{BASE}/issuer/keys/key-2",
    }

    # The offline checker and the verify page: both certificates still valid.
    for cert in (old, new):
        path = own_key / f"{cert.serial}.json"
        path.write_text(json.dumps(cert.credential))
        assert check_file(path, issuer_document()).valid
        report = client.get(f"/verify/{cert.code}", headers={"Accept": "application/json"})
        assert report.get_json()["status"] == "valid"
    # The status list is signed with the new key too.
    listed = client.get("/status/revocation").get_json()
    assert _verifies_with_published_key(client, listed)

    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "signing_key.rotated")
    ).all()
    assert event.actor_id == world["admin"].id
    assert event.data == {
        "retired": "key-1",
        "key": "key-2",
        "jwt_retired": "p256-1",
        "jwt_key": "p256-2",
    }


def _jwt_kid(token: str) -> str:
    return jws.extract_compact(token.encode()).protected["kid"]


def _jwt_verifies_with_published_jwks(client, token: str) -> bool:
    """Whether the token's kid is in the JWKS and that key checks the token (joserfc)."""
    jwks = client.get("/.well-known/jwks.json").get_json()
    try:
        jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["ES256"])
    except BadSignatureError:
        return False
    return True


def test_one_rotation_also_renews_the_vc_jwt_key(world, auth, client, own_key):
    old = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    assert _jwt_kid(old.credential_jwt) == f"{BASE}/issuer/jwk/p256-1"
    assert (own_key / "signing_key-p256.pem").exists()
    auth.login(world["admin"])
    assert client.post("/admin/keys/rotate").status_code == 302
    page = client.get("/admin/keys").get_data(as_text=True)
    assert 'data-key="p256-2"' in page and 'data-key="p256-1"' in page

    new = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    assert _jwt_kid(new.credential_jwt) == f"{BASE}/issuer/jwk/p256-2"
    assert _jwt_verifies_with_published_jwks(client, new.credential_jwt)
    assert _jwt_verifies_with_published_jwks(client, old.credential_jwt)
    assert client.get(f"/verify/{old.code}/credential.jwt").get_data(as_text=True) == (
        old.credential_jwt
    )

    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    p256 = {k["kid"].rsplit("/", 1)[1]: k for k in jwks if k["crv"] == "P-256"}
    assert set(p256) == {"p256-1", "p256-2"}
    assert p256["p256-1"]["x"] != p256["p256-2"]["x"]
    assert p256["p256-1"]["validUntil"] is not None and p256["p256-2"]["validUntil"] is None
    assert p256["p256-1"]["validUntil"] <= p256["p256-2"]["validFrom"]
    for name, key in p256.items():
        published = client.get(f"/issuer/jwk/{name}")
        assert published.get_json() == key and "d" not in key
    assert client.get("/issuer/jwk/p256-3").status_code == 404
    # The new token does not verify with the old key alone: the rotation changed the key.
    only_old = {"keys": [p256["p256-1"] | {"kid": p256["p256-2"]["kid"]}]}
    with pytest.raises(BadSignatureError):
        jwt.decode(new.credential_jwt, KeySet.import_key_set(only_old), algorithms=["ES256"])


def test_only_admins_rotate(world, auth, client, own_key):
    auth.login(world["coord_tx"])
    assert client.post("/admin/keys/rotate").status_code == 403
    assert db.session.scalars(select(AuditEvent.action)).all().count("signing_key.rotated") == 0


def test_rotate_export_and_restore_from_the_command_line(world, runner, own_key, client):
    cert = issue_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "key-2" in result.output
    backup = own_key / "backup.json"
    result = runner.invoke(args=["keys", "export", str(backup)])
    assert result.exit_code == 0, result.output
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    saved = json.loads(backup.read_text())
    assert [k["name"] for k in saved["keys"]] == ["key-1", "key-2", "p256-1", "p256-2"]
    assert all(k["private_key_pem"] for k in saved["keys"])

    for key_file in own_key.glob("signing_key*.pem"):
        key_file.unlink()  # the disk is lost; the database is restored from its backup
    with pytest.raises(SigningKeyMissingError, match="flask keys import"):
        issue_certificate(awarded(world), world["coord_tx"])
    db.session.rollback()
    result = runner.invoke(args=["keys", "import", str(backup)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in own_key.glob("signing_key*.pem")} == {
        k["file_name"] for k in saved["keys"]
    }
    new = issue_certificate(awarded(world), world["coord_tx"])
    assert proofs_of(new.credential)[0]["verificationMethod"].endswith("/keys/key-2")
    assert _jwt_kid(new.credential_jwt).endswith("/jwk/p256-2")
    db.session.commit()
    assert _verifies_with_published_key(client, cert.credential)
    assert _jwt_verifies_with_published_jwks(client, cert.credential_jwt)
    assert _jwt_verifies_with_published_jwks(client, new.credential_jwt)

    other = own_key / "other.json"
    other.write_text(json.dumps({"format": "nope"}))
    refused = runner.invoke(args=["keys", "import", str(other)])
    assert refused.exit_code != 0 and "not a Puente signing key backup" in refused.output


@pytest.mark.own_databases
def test_it_refuses_to_start_without_the_key_certificates_depend_on(tmp_path):
    class StartConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'start.db'}"
        SIGNING_KEY_FILE = tmp_path / "signing_key.pem"
        CHECK_SIGNING_KEYS = True

    app = create_app(StartConfig)  # an empty database: starts, makes its key on first use
    with app.app_context():
        db.create_all()
        world = factories.make_world()
        issue_certificate(awarded(world), world["coord_tx"])
        db.session.commit()
        db.session.remove()
    backup = (tmp_path / "signing_key.pem").read_bytes()
    os.remove(tmp_path / "signing_key.pem")
    with pytest.raises(SigningKeyMissingError, match=r"signing_key\.pem is missing"):
        create_app(StartConfig)
    assert not (tmp_path / "signing_key.pem").exists()  # no new key made silently
    (tmp_path / "signing_key.pem").write_bytes(backup)
    create_app(StartConfig)


@pytest.mark.own_databases
def test_it_refuses_to_start_without_the_vc_jwt_key_either(tmp_path):
    class StartConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'start.db'}"
        SIGNING_KEY_FILE = tmp_path / "signing_key.pem"
        CHECK_SIGNING_KEYS = True

    first = tmp_path / "signing_key-p256.pem"
    app = create_app(StartConfig)
    with app.app_context():
        db.create_all()
        world = factories.make_world()
        issue_certificate(awarded(world), world["coord_tx"])
        db.session.commit()
        db.session.execute(delete(SigningKey))  # as before p256-1 was recorded: only the file
        db.session.commit()
        db.session.remove()
    saved = first.read_bytes()
    first.unlink()
    with pytest.raises(SigningKeyMissingError, match=r"signing_key-p256\.pem is missing"):
        create_app(StartConfig)
    assert not first.exists()  # no new P-256 key made silently
    first.write_bytes(saved)

    app = create_app(StartConfig)
    with app.app_context():
        rotate_signing_keys(None)
        db.session.commit()
        (current,) = [k for k in published_jwt_keys() if k.valid_until is None]
        assert current.name == "p256-2"
        db.session.remove()
    (tmp_path / current.file_name).unlink()
    with pytest.raises(SigningKeyMissingError, match=current.file_name.replace(".", r"\.")):
        create_app(StartConfig)


def _verifies(document: dict, public_key) -> bool:
    """Whether the document's one proof is a valid signature by `public_key`."""
    (proof,) = proofs_of(document)
    return verify_proof(document, proof, public_key)
