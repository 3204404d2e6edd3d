"""The VC-JWT form of a credential (Open Badges 3.0 §8.2, JSON Web Token proof, ES256).

The installation keeps a P-256 key beside its Ed25519 one (same folder, same conventions:
created on first use, readable by the owner only); its public JWK is in /.well-known/jwks.json
and at its own address, the `kid` of every token.
"""

import os
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from joserfc import jwt
from joserfc.jwk import ECKey

from app.installation import issuer_id

JWT_KEY_NAME = "p256-1"
ALGORITHM = "ES256"


def jwt_key_file() -> Path:
    configured = current_app.config.get("JWT_SIGNING_KEY_FILE")
    if configured:
        return Path(configured)
    ed25519 = Path(current_app.config["SIGNING_KEY_FILE"])
    return ed25519.with_name(f"{ed25519.stem}-p256.pem")


def load_jwt_key(path: Path | None = None) -> ECKey:
    """The installation's P-256 signing key, created (readable by the owner only) on first use."""
    path = path or jwt_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return _key_from_pem(path.read_bytes(), str(path))


_cache: dict[tuple[str, bytes], ECKey] = {}


def _key_from_pem(pem: bytes, name: str) -> ECKey:
    key = _cache.get((name, pem))
    if key is None:
        private = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
            raise ValueError(f"{name} is not a P-256 private key")
        key = _cache[(name, pem)] = ECKey.import_key(private)
    return key


def jwt_kid() -> str:
    """The address of the public JWK that checks the installation's VC-JWTs."""
    return f"{issuer_id()}/jwk/{JWT_KEY_NAME}"


def public_jwt_jwk() -> dict:
    public = load_jwt_key().as_dict(private=False)
    return {**public, "kid": jwt_kid(), "alg": ALGORITHM, "use": "sig"}


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def sign_vc_jwt(credential: dict) -> str:
    """The credential (with its embedded proof) as a compact JWS: the JWT claims iss, jti and nbf
    repeat issuer.id, id and validFrom (and exp, sub when it has validUntil, a subject id)."""
    claims = {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": _numeric_date(credential["validFrom"]),
    }
    if credential.get("validUntil"):
        claims["exp"] = _numeric_date(credential["validUntil"])
    subject = credential.get("credentialSubject", {})
    if isinstance(subject, dict) and subject.get("id"):
        claims["sub"] = subject["id"]
    header = {"alg": ALGORITHM, "kid": jwt_kid(), "typ": "JWT"}
    return jwt.encode(header, claims, load_jwt_key(), algorithms=[ALGORITHM])
