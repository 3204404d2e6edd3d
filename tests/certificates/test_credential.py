"""The signed credential: checked with an independent implementation; any changed byte fails."""

import base64
import hashlib
import json
from dataclasses import replace

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pypdf import PdfReader, PdfWriter

from app.certificates.credential import criteria_narrative
from app.certificates.documents import credential_from_pdf
from app.certificates.integrity import proofs_of, standard_form, verify_proof
from app.certificates.linked_data import ContextError, canonical_nquads
from app.certificates.services import issue_certificate, load_certificate_pdf
from app.certificates.signing import load_private_key, sign_document
from app.credits.rules import rules_for
from tests.certificates.helpers import awarded


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify(credential: dict, public_key: Ed25519PublicKey) -> bool:
    proofs = proofs_of(credential)
    return bool(proofs) and all(verify_proof(credential, p, public_key) for p in proofs)


@pytest.fixture
def issued(world, client):
    cert = issue_certificate(
        awarded(world, given_name="José", family_name="Núñez"), world["coord_tx"]
    )
    issuer = client.get("/issuer").get_json()
    method = issuer["verificationMethod"][0]
    assert cert.credential["proof"][0]["verificationMethod"] == method["id"]
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
    assert [p["cryptosuite"] for p in credential["proof"]] == ["eddsa-rdfc-2022"]
    assert verify(credential, key)
    # (tests/certificates/test_interop.py checks the same with @digitalbazaar/vc and verifier-core)


def test_changing_any_byte_of_the_credential_breaks_the_signature(issued):
    cert, key = issued
    data = canonical(cert.credential)
    accepted = []
    for i in range(0, len(data), 7):  # every 7th byte: RDFC costs a few ms a check
        mutated = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]
        try:
            document = json.loads(mutated)
            if verify(document, key):
                accepted.append(i)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # not even a credential any more
    assert accepted == []


def test_the_pdf_carries_the_same_signed_credential(issued, runner, tmp_path):
    cert, key = issued
    attached = credential_from_pdf(load_certificate_pdf(cert))
    assert attached == standard_form(cert.credential) == cert.credential
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


def test_an_older_jcs_credential_still_verifies(issued, runner, tmp_path):
    """Certificates issued before eddsa-rdfc-2022 carry an eddsa-jcs-2022 proof object without
    @context; they still check, and are shared in the form W3C verifiers expect."""
    cert, key = issued
    unsigned = {k: v for k, v in cert.credential.items() if k != "proof"}
    old = sign_document(
        unsigned,
        load_private_key(),
        cert.credential["proof"][0]["verificationMethod"],
        "2026-01-05T10:00:00Z",
    )
    assert isinstance(old["proof"], dict) and "@context" not in old["proof"]
    assert verify(old, key)
    shared = standard_form(old)
    assert shared["proof"] == [{"@context": old["@context"], **old["proof"]}]
    assert verify(shared, key)
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert runner.invoke(args=["certificates", "verify", str(tmp_path / "old.json")]).exit_code == 0
    changed = {**shared, "name": shared["name"] + "."}
    assert not verify(changed, key)


def test_identifiers_are_hashed_with_a_salt(world):
    from datetime import date

    cert = issue_certificate(
        awarded(
            world, msix_id="123456789012", curp="NUSJ090314HTSXXX01", birth_date=date(2009, 3, 14)
        ),
        world["coord_tx"],
    )
    text = json.dumps(cert.credential)
    for secret in ("123456789012", "NUSJ090314HTSXXX01", "2009-03-14"):
        assert secret not in text
    hashed = {
        i["identityType"]: i
        for i in cert.credential["credentialSubject"]["identifier"]
        if i["hashed"]
    }
    assert set(hashed) == {"ext:BirthDate", "ext:MSIXID", "ext:CURP"}
    for kind, value in (
        ("ext:MSIXID", "123456789012"),
        ("ext:CURP", "NUSJ090314HTSXXX01"),
        ("ext:BirthDate", "2009-03-14"),
    ):
        entry = hashed[kind]
        assert len(entry["salt"]) >= 16
        # A school holding the student's papers can match them (OB 3.0 IdentityHash).
        assert (
            entry["identityHash"]
            == "sha256$" + hashlib.sha256((value + entry["salt"]).encode()).hexdigest()
        )
    assert len({i["salt"] for i in hashed.values()}) == 3


def test_canonicalization_refuses_undefined_terms(issued):
    cert, _key = issued
    unsigned = {k: v for k, v in cert.credential.items() if k != "proof"}
    canonical_nquads(unsigned)
    for bad in (
        {"birthDate": "2009-03-14"},
        {"credentialStatus": {"id": "https://x.example/s", "type": "PuenteVerificationPage"}},
    ):
        with pytest.raises(ContextError):
            canonical_nquads({**unsigned, **bad})


def test_reusing_a_shape_gives_exactly_the_full_reading(world):
    """canonical_nquads reuses the quads of a known document shape; for every kind of
    credential (full, partial, hashed identifiers, odd characters) it equals a full reading."""
    from datetime import date

    from app.certificates.transcript import build_transcript

    certs = [
        issue_certificate(
            awarded(world, given_name='Zoë "Zo" \\ Ñ\tx', msix_id="1", birth_date=date(2010, 1, 2)),
            world["coord_tx"],
        ),
        issue_certificate(awarded(world, site="tx2", passed=2), world["coord_tx"]),
    ]
    transcript, _facts = build_transcript(certs[0].student, "2026-12-02T00:00:00Z")
    for document in [c.credential for c in certs] + [transcript]:
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        assert canonical_nquads(unsigned) == canonical_nquads(unsigned, full=True)
        odd = {**unsigned, "name": "urn:not-an-iri-here", "id": "urn:uuid:1234"}
        assert canonical_nquads(odd) == canonical_nquads(odd, full=True)
        for proof in document["proof"]:  # the proof options: proofPurpose is an @vocab term
            options = {"@context": document["@context"], **proof}
            options.pop("proofValue")
            assert canonical_nquads(options) == canonical_nquads(options, full=True)


def test_pyoxigraphs_lines_are_the_canonical_lines(world):
    """canonical_nquads takes pyoxigraph's serialization unless a literal holds a control
    character; for everything else (quotes, backslashes, line separators, accents) its lines
    are exactly those written term by term as RDFC-1.0 says."""
    import pyoxigraph

    from app.certificates.linked_data import _written_by_term, document_quads

    cert = issue_certificate(awarded(world), world["coord_tx"])
    unsigned = {k: v for k, v in cert.credential.items() if k != "proof"}
    for name in ('Zoë "Zo" \\ Ñ', "line\u2028separator\x85next", "tab\there", "ok"):
        document = {**unsigned, "name": name}
        dataset = pyoxigraph.Dataset(document_quads(document))
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
        expected = _written_by_term(dataset)
        assert canonical_nquads(document) == expected
        assert (
            f'"{name.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
            in expected
        )
