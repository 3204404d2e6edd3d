"""Data Integrity proofs on credentials: eddsa-rdfc-2022 for new ones, eddsa-jcs-2022 kept for
credentials issued before (W3C vc-di-eddsa).

eddsa-rdfc-2022 signs SHA-256(RDFC(proof options)) || SHA-256(RDFC(credential without proof)),
the proof options carrying the credential's @context; `proof` is a list (a proof set).
"""

import hashlib
from functools import lru_cache

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.certificates.linked_data import ContextError, canonical_nquads
from app.certificates.signing import CRYPTOSUITE as JCS_SUITE
from app.certificates.signing import verify_document

RDFC_SUITE = "eddsa-rdfc-2022"


def proofs_of(document: dict) -> list[dict]:
    proof = document.get("proof")
    if isinstance(proof, dict):
        return [proof]
    return [p for p in proof if isinstance(p, dict)] if isinstance(proof, list) else []


def _options(document: dict, created: str, verification_method: str) -> dict:
    return {
        "@context": document["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": RDFC_SUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }


@lru_cache(maxsize=64)
def _options_hash(contexts: tuple, proof: tuple) -> bytes:
    # One batch shares its proof options (same key, same moment): canonicalize them once.
    return hashlib.sha256(
        canonical_nquads({"@context": list(contexts), **dict(proof)}).encode()
    ).digest()


def _hash_data(document: dict, options: dict) -> bytes:
    contexts = options["@context"]
    contexts = tuple(contexts) if isinstance(contexts, list) else (contexts,)
    proof = tuple(sorted((k, v) for k, v in options.items() if k != "@context"))
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return (
        _options_hash(contexts, proof)
        + hashlib.sha256(canonical_nquads(unsigned).encode()).digest()
    )


def sign_rdfc(
    document: dict, key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict:
    """The document with an eddsa-rdfc-2022 DataIntegrityProof, as a one-proof list."""
    options = _options(document, created, verification_method)
    signature = key.sign(_hash_data(document, options))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**document, "proof": [proof]}


def _verify_rdfc(document: dict, proof: dict, public_key: Ed25519PublicKey) -> bool:
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = document.get("@context")
    try:
        signature = base58.b58decode(value[1:])
        public_key.verify(signature, _hash_data(document, options))
    except (InvalidSignature, ValueError, ContextError, SyntaxError, KeyError, TypeError):
        return False
    return True


def verify_proof(document: dict, proof: dict, public_key: Ed25519PublicKey) -> bool:
    """Whether `proof` (one of the document's) is a valid signature by `public_key`."""
    if proof.get("type") != "DataIntegrityProof" or proof.get("proofPurpose") != "assertionMethod":
        return False
    if proof.get("cryptosuite") == RDFC_SUITE:
        return _verify_rdfc(document, proof, public_key)
    if proof.get("cryptosuite") == JCS_SUITE:
        return verify_document({**document, "proof": proof}, public_key)
    return False


def standard_form(credential: dict) -> dict:
    """A credential as W3C verifiers read it: `proof` a list, and each older eddsa-jcs-2022 proof
    carrying the @context it was signed with (Puente once signed with it but stored it without)."""
    proofs = []
    for proof in proofs_of(credential):
        if proof.get("cryptosuite") == JCS_SUITE and "@context" not in proof:
            proof = {"@context": credential.get("@context"), **proof}
        proofs.append(proof)
    if not proofs:
        return credential
    return {**credential, "proof": proofs}
