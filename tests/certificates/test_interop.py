"""Credentials issued by a live Puente server, checked by verifiers Puente did not write."""

import base64
import copy
import json
from datetime import date
from urllib.request import urlopen

import pytest

from app.certificates.integrity import standard_form
from app.certificates.keys import rotate_signing_keys
from app.certificates.services import issue_certificate
from app.certificates.signing import load_private_key, sign_document
from app.certificates.transcript import issue_transcript
from app.credits.services import award_credit
from app.extensions import db
from app.installation import key_id
from app.students.models import Student
from app.users.models import User
from tests import factories
from tests.certificates.helpers import awarded
from tests.certificates.interop import ob_schema_errors, run_verifiers
from tests.installations import live_installation

pytestmark = pytest.mark.own_databases


def fetch_json(url: str) -> dict:
    with urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def served(tmp_path):
    """A live installation and two certificates it issued (one student with MSIX ID, CURP and
    birth date; one without), as anyone downloads them from /verify/<code>/credential.json."""
    with live_installation(tmp_path, "texas") as installation:
        with installation.context():
            world = factories.make_world()
            certs = [
                issue_certificate(
                    awarded(
                        world,
                        given_name="José",
                        family_name="Núñez",
                        msix_id="123456789012",
                        curp="NUSJ090314HTSXXX01",
                        birth_date=date(2009, 3, 14),
                    ),
                    world["coord_tx"],
                ),
                issue_certificate(awarded(world, site="tx2", passed=3), world["coord_tx"]),
            ]
            # A second course, partial credit, no certificate: the transcript signs it afresh.
            enrollment = factories.make_enrollment(
                certs[0].student, factories.make_course_version()
            )
            for progress in enrollment.units[:3]:
                factories.pass_unit(progress, open_points=1.0)
            award_credit(enrollment, world["coord_tx"])
            db.session.commit()
            codes = [c.code for c in certs]
            installation.student_id = certs[0].student_id
            installation.coordinator_id = world["coord_tx"].id
        credentials = [fetch_json(f"{installation.url}/verify/{c}/credential.json") for c in codes]
        yield installation, credentials


def test_older_jcs_credentials_verify_with_digital_bazaar_in_their_shared_form(served):
    """What Puente issued before eddsa-rdfc-2022 (a proof signed with @context, stored without):
    rejected by the standard verifier as stored, accepted as Puente now shares it."""
    installation, credentials = served
    unsigned = {k: v for k, v in credentials[0].items() if k != "proof"}
    with installation.context():
        old = sign_document(unsigned, load_private_key(), key_id(), "2026-01-05T10:00:00Z")
        shared = standard_form(old)
    report = run_verifiers(installation.url, [old, shared])
    as_stored, as_shared = (r["digitalbazaar"] for r in report["credentials"])
    assert as_stored["verified"] is False
    assert as_shared == {"verified": True, "error": None}


def tampered(credential: dict) -> list[dict]:
    """The credential with one changed byte in a claim, in the proof options, in the signature."""
    grade = copy.deepcopy(credential)
    grade["credentialSubject"]["result"][0]["value"] = "94.3"
    name = copy.deepcopy(credential)
    name["credentialSubject"]["identifier"][0]["identityHash"] = "Jose Núñez"
    created = copy.deepcopy(credential)
    created["proof"][0]["created"] = created["proof"][0]["created"].replace("Z", ".0Z")
    signature = copy.deepcopy(credential)
    value = signature["proof"][0]["proofValue"]
    signature["proof"][0]["proofValue"] = (
        value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    )
    return [grade, name, created, signature]


def test_standard_verifiers_accept_issued_credentials(served):
    installation, credentials = served
    for credential in credentials:
        assert [p["cryptosuite"] for p in credential["proof"]] == ["eddsa-rdfc-2022"]
    report = run_verifiers(installation.url, credentials)
    for result in report["credentials"]:
        assert result["digitalbazaar"] == {"verified": True, "error": None}, result
        assert result["safe_mode"] == {"ok": True, "error": None}, result
        assert result["verifier_core"]["signature"] is True, result
        assert result["verifier_core"]["errors"] == [], result
        # verifier-core checks the schema the credential names (served from tests/…/schemas/).
        assert [r["result"]["valid"] for r in result["verifier_core"]["schema"]] == [True], result


def test_credentials_match_1edtech_schema(served):
    _, credentials = served
    for credential in credentials:
        assert ob_schema_errors(credential) == []
        schemas = [s["id"] for s in credential["credentialSchema"]]
        assert schemas == [
            "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
        ]


def test_a_changed_byte_fails_every_verifier(served):
    installation, credentials = served
    changed = tampered(credentials[0])
    report = run_verifiers(installation.url, changed)
    for result in report["credentials"]:
        assert result["digitalbazaar"]["verified"] is False, result
        assert result["verifier_core"]["signature"] is False, result


def test_the_vc_jwt_is_the_same_credential_signed_es256(served):
    """jose (node) checks each VC-JWT against the installation's published JWKS."""
    installation, credentials = served
    tokens = []
    for credential in credentials:
        code = credential["id"].rsplit("/", 1)[1]
        with urlopen(f"{installation.url}/verify/{code}/credential.jwt", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/vc+jwt")
            tokens.append(response.read().decode())
    header_segment, payload_segment, signature = tokens[0].split(".")
    forged_payload = json.loads(base64.urlsafe_b64decode(payload_segment + "=="))
    forged_payload["credentialSubject"]["creditsEarned"] = 1.0
    forged = ".".join(
        [
            header_segment,
            base64.urlsafe_b64encode(json.dumps(forged_payload).encode()).rstrip(b"=").decode(),
            signature,
        ]
    )
    report = run_verifiers(installation.url, jwts=[*tokens, forged])
    *good, bad = report["jwts"]
    for credential, result in zip(credentials, good, strict=True):
        assert result["verified"] is True, result
        assert result["header"]["alg"] == "ES256"
        assert result["header"]["kid"] == f"{installation.url}/issuer/jwk/p256-1"
        payload = result["payload"]
        assert payload["iss"] == credential["issuer"]["id"]
        assert payload["jti"] == credential["id"]
        claims = {k: v for k, v in payload.items() if k not in ("iss", "jti", "nbf")}
        assert claims == credential
        assert ob_schema_errors(payload) == []
    assert bad["verified"] is False
    kid = fetch_json(f"{installation.url}/issuer/jwk/p256-1")
    assert kid["kty"] == "EC" and kid["crv"] == "P-256" and "d" not in kid


def test_a_vc_jwt_issued_before_a_rotation_still_verifies_with_jose(served):
    """After `rotate_signing_keys`, jose checks the old token (p256-1) and the new one (p256-2)
    against the same published JWKS, which now holds both P-256 keys."""
    installation, credentials = served
    code = credentials[0]["id"].rsplit("/", 1)[1]
    with urlopen(f"{installation.url}/verify/{code}/credential.jwt", timeout=10) as response:
        old = response.read().decode()
    with installation.context():
        rotate_signing_keys(None)
        db.session.commit()
        world = factories.make_world()
        cert = issue_certificate(awarded(world), world["coord_tx"])
        db.session.commit()
        new = cert.credential_jwt
    report = run_verifiers(installation.url, jwts=[old, new])
    checked_old, checked_new = report["jwts"]
    assert checked_old["verified"] is True, checked_old
    assert checked_old["header"]["kid"] == f"{installation.url}/issuer/jwk/p256-1"
    assert checked_new["verified"] is True, checked_new
    assert checked_new["header"]["kid"] == f"{installation.url}/issuer/jwk/p256-2"
    jwks = fetch_json(f"{installation.url}/.well-known/jwks.json")["keys"]
    assert len({k["x"] for k in jwks if k["crv"] == "P-256"}) == 2
    old_key = fetch_json(f"{installation.url}/issuer/jwk/p256-1")
    assert old_key["validUntil"] is not None and "d" not in old_key


def test_the_transcript_clr_verifies_with_digital_bazaar(served):
    installation, _credentials = served
    with installation.context():
        student = db.session.get(Student, installation.student_id)
        transcript, facts = issue_transcript(
            student, db.session.get(User, installation.coordinator_id), "json"
        )
        db.session.commit()
    assert len(facts) == 2
    embedded = transcript["credentialSubject"]["verifiableCredential"]
    # 1EdTech's published CLR 2.0 schema is not vendored (the only copy found is a draft-04 port
    # for VC 1.1, which requires issuanceDate); each course's credential inside is checked.
    assert [ob_schema_errors(credential) for credential in embedded] == [[], []]
    changed = copy.deepcopy(transcript)
    changed["credentialSubject"]["verifiableCredential"][1]["credentialSubject"][
        "creditsEarned"
    ] = 2
    report = run_verifiers(installation.url, [transcript, *embedded, changed])
    *good, bad = report["credentials"]
    for result in good:
        assert result["digitalbazaar"] == {"verified": True, "error": None}, result
        assert result["safe_mode"] == {"ok": True, "error": None}, result
    assert report["credentials"][0]["verifier_core"]["signature"] is True, report["credentials"][0]
    assert bad["digitalbazaar"]["verified"] is False
