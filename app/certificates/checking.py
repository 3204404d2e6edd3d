"""Check a certificate file offline: the credential in a PDF or JSON, against a public key."""

import json
from dataclasses import dataclass
from pathlib import Path

from app.certificates.documents import credential_from_pdf
from app.certificates.integrity import proofs_of, verify_proof
from app.certificates.signing import public_key_from_multibase


@dataclass
class CheckResult:
    valid: bool
    reason: str
    credential: dict | None = None


def read_credential(path: Path) -> dict:
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return credential_from_pdf(data)
    return json.loads(data)


def key_from_issuer_document(document: dict, method_id: str) -> str | None:
    """The publicKeyMultibase of `method_id` in an issuer (controller) document."""
    for method in document.get("verificationMethod", []):
        if method.get("id") == method_id:
            return method.get("publicKeyMultibase")
    return None


def check_file(path: Path, issuer_document: dict) -> CheckResult:
    """Whether the credential in `path` is signed by the key `issuer_document` publishes."""
    try:
        credential = read_credential(path)
    except (ValueError, OSError) as error:
        return CheckResult(False, f"cannot read a credential from {path}: {error}")
    proofs = proofs_of(credential) if isinstance(credential, dict) else []
    if not proofs:
        return CheckResult(False, "the credential has no proof")
    for proof in proofs:  # every proof must hold (a proof set)
        multibase = key_from_issuer_document(issuer_document, proof.get("verificationMethod"))
        if multibase is None:
            return CheckResult(False, f"unknown signing key {proof.get('verificationMethod')}")
        if not verify_proof(credential, proof, public_key_from_multibase(multibase)):
            return CheckResult(
                False, "the signature does not match: the credential was changed", credential
            )
    return CheckResult(True, "signature valid", credential)
