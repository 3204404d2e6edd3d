"""Check a certificate file offline: the credential in a PDF or JSON, against a public key."""

import json
from dataclasses import dataclass
from pathlib import Path

from app.certificates.documents import credential_from_pdf
from app.certificates.signing import public_key_from_multibase, verify_document


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
    proof = credential.get("proof") if isinstance(credential, dict) else None
    if not isinstance(proof, dict):
        return CheckResult(False, "the credential has no proof")
    multibase = key_from_issuer_document(issuer_document, proof.get("verificationMethod"))
    if multibase is None:
        return CheckResult(False, f"unknown signing key {proof.get('verificationMethod')}")
    if not verify_document(credential, public_key_from_multibase(multibase)):
        return CheckResult(
            False, "the signature does not match: the credential was changed", credential
        )
    return CheckResult(True, "signature valid", credential)
