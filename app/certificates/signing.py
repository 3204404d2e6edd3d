"""The installation's Ed25519 key and Data Integrity proofs (cryptosuite eddsa-jcs-2022).

A proof signs SHA-256(JCS(proof options)) || SHA-256(JCS(document without proof)); anyone with the
public key (published as a Multikey and a JWK) can check it offline.
"""

import base64
import hashlib
import os
from pathlib import Path

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

MULTICODEC_ED25519_PUB = b"\xed\x01"
CRYPTOSUITE = "eddsa-jcs-2022"


def load_private_key(path: Path | None = None) -> Ed25519PrivateKey:
    """The installation's signing key, created (readable by the owner only) on first use."""
    path = Path(path or current_app.config["SIGNING_KEY_FILE"])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def raw_public_key(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_multibase(key) -> str:
    """The public key as a Multikey value: 'z' + base58btc(0xed01 || 32 key bytes)."""
    return "z" + base58.b58encode(MULTICODEC_ED25519_PUB + raw_public_key(key)).decode()


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    data = base58.b58decode(value[1:])
    if data[:2] != MULTICODEC_ED25519_PUB or len(data) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def public_jwk(key, kid: str) -> dict:
    x = base64.urlsafe_b64encode(raw_public_key(key)).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig"}


def _hash_data(document: dict, options: dict) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return (
        hashlib.sha256(rfc8785.dumps(options)).digest()
        + hashlib.sha256(rfc8785.dumps(unsigned)).digest()
    )


def sign_document(
    document: dict, key: Ed25519PrivateKey, verification_method: str, created: str
) -> dict:
    """The document with a DataIntegrityProof (eddsa-jcs-2022) added."""
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    if "@context" in document:  # JSON-LD documents bind the proof to their context
        options["@context"] = document["@context"]
    signature = key.sign(_hash_data(document, options))
    proof = {k: v for k, v in options.items() if k != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode()
    return {**document, "proof": proof}


def verify_document(document: dict, public_key: Ed25519PublicKey) -> bool:
    """Whether the document's DataIntegrityProof is a valid signature by `public_key`."""
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE:
        return False
    value = proof.get("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in document:
        options["@context"] = document["@context"]
    try:
        signature = base58.b58decode(value[1:])
        public_key.verify(signature, _hash_data(document, options))
    except (InvalidSignature, ValueError):
        return False
    return True
