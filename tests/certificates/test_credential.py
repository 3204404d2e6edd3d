"""The signed credential: checked with an independent implementation; any changed byte fails."""

import base64
import hashlib
import json
from dataclasses import replace

import base58
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader, PdfWriter

from app.certificates.credential import criteria_narrative
from app.certificates.documents import credential_from_pdf
from app.certificates.services import issue_certificate, load_certificate_pdf
from app.credits.rules import rules_for
from tests.certificates.helpers import awarded


def canonical(value) -> bytes:
    # RFC 8785 for this data (strings, ints and short decimals): sorted keys, no spaces, UTF-8.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def independent_verify(credential: dict, public_key: Ed25519PublicKey) -> bool:
    """eddsa-jcs-2022 verification written from the W3C spec, sharing no code with the app."""
    proof = dict(credential["proof"])
    value = proof.pop("proofValue")
    if not value.startswith("z"):  # multibase prefix of base58btc
        return False
    signature = base58.b58decode(value[1:])
    proof["@context"] = credential["@context"]
    document = {k: v for k, v in credential.items() if k != "proof"}
    data = hashlib.sha256(canonical(proof)).digest() + hashlib.sha256(canonical(document)).digest()
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@pytest.fixture
def issued(world, client):
    cert = issue_certificate(
        awarded(world, given_name="José", family_name="Núñez"), world["coord_tx"]
    )
    issuer = client.get("/issuer").get_json()
    method = issuer["verificationMethod"][0]
    assert cert.credential["proof"]["verificationMethod"] == method["id"]
    raw = base58.b58decode(method["publicKeyMultibase"][1:])
    assert raw[:2] == b"\xed\x01"
    key = Ed25519PublicKey.from_public_bytes(raw[2:])
    jwk = client.get("/.well-known/jwks.json").get_json()["keys"][0]
    assert base64.urlsafe_b64decode(jwk["x"] + "=") == raw[2:]
    return cert, key


def test_credential_is_an_open_badge_signed_by_the_published_key(issued):
    cert, key = issued
    credential = cert.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["credentialSubject"]["creditsEarned"] == 0.5
    assert credential["id"].endswith(f"/verify/{cert.code}")
    assert independent_verify(credential, key)


def test_changing_any_byte_of_the_credential_breaks_the_signature(issued):
    cert, key = issued
    data = canonical(cert.credential)
    accepted = []
    for i in range(len(data)):
        mutated = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        try:
            document = json.loads(mutated)
            if independent_verify(document, key):
                accepted.append(i)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # not even a credential any more
    assert accepted == []


def test_the_pdf_carries_the_same_signed_credential(issued, runner, tmp_path):
    cert, key = issued
    attached = credential_from_pdf(load_certificate_pdf(cert))
    assert attached == cert.credential
    path = tmp_path / "certificate.pdf"
    path.write_bytes(load_certificate_pdf(cert))
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "José Núñez" in result.output


def test_the_cli_refuses_a_pdf_whose_credential_was_changed(issued, runner, tmp_path):
    cert, _key = issued
    forged = dict(cert.credential)
    forged["credentialSubject"] = {**forged["credentialSubject"], "creditsEarned": 1.0}
    writer = PdfWriter()
    writer.add_page(PdfReader(tmp_pdf(tmp_path, load_certificate_pdf(cert))).pages[0])
    writer.add_attachment("credential.json", json.dumps(forged).encode())
    path = tmp_path / "forged.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    assert result.exit_code == 1
    assert "NOT VALID" in result.output


def test_the_cli_checks_a_json_credential_against_a_saved_issuer_document(
    issued, runner, client, tmp_path
):
    cert, _key = issued
    (tmp_path / "issuer.json").write_text(json.dumps(client.get("/issuer").get_json()))
    (tmp_path / "c.json").write_text(json.dumps(cert.credential))
    args = [
        "certificates",
        "verify",
        str(tmp_path / "c.json"),
        "--issuer",
        str(tmp_path / "issuer.json"),
    ]
    assert runner.invoke(args=args).exit_code == 0


def tmp_pdf(tmp_path, data: bytes):
    path = tmp_path / "original.pdf"
    path.write_bytes(data)
    return str(path)


def test_the_criteria_say_the_awarding_states_pass_threshold(issued):
    cert, _key = issued
    achievement = cert.credential["credentialSubject"]["achievement"]
    texas = rules_for("US-TX").unit_pass_percent
    assert achievement["criteria"]["narrative"].startswith(f"Unit tests passed at {texas:g} %")
    stricter = replace(rules_for("US-TX"), unit_pass_percent=70)
    assert criteria_narrative(stricter).startswith("Unit tests passed at 70 % or more")
