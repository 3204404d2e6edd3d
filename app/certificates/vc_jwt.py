"""The VC-JWT form of a credential (Open Badges 3.0 §8.2, JSON Web Token proof, ES256).

The installation keeps P-256 keys beside its Ed25519 ones (app/certificates/keys.py: one
rotation renews both); every one's public JWK is in /.well-known/jwks.json and at its own
address, the `kid` of the tokens it signed.
"""

from datetime import datetime

from joserfc import jwt
from joserfc.jwk import ECKey

from app.certificates.keys import current_jwt_key
from app.certificates.models import SigningKey
from app.certificates.p256 import p256_from_multibase
from app.installation import issuer_id

ALGORITHM = "ES256"

_cache: dict[int, ECKey] = {}


def _ec_key(private) -> ECKey:
    key = _cache.get(id(private))
    if key is None or key.raw_value is not private:
        key = _cache[id(private)] = ECKey.import_key(private)
    return key


def jwt_kid(name: str) -> str:
    """The address of the public JWK `name` (p256-1, p256-2, …) that checks VC-JWTs."""
    return f"{issuer_id()}/jwk/{name}"


def public_jwt_jwk(row: SigningKey) -> dict:
    """A P-256 key's public JWK, with the dates it signed (validUntil null: it signs now)."""
    public = ECKey.import_key(p256_from_multibase(row.public_key_multibase)).as_dict(private=False)
    return {
        **public,
        "kid": jwt_kid(row.name),
        "alg": ALGORITHM,
        "use": "sig",
        "validFrom": _stamp(row.valid_from),
        "validUntil": _stamp(row.valid_until) if row.valid_until else None,
    }


def _stamp(moment) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _numeric_date(value: str) -> int:
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


def sign_vc_jwt(credential: dict) -> str:
    """The credential (with its embedded proof) as a compact JWS signed with the current P-256
    key: the JWT claims iss, jti and nbf repeat issuer.id, id and validFrom (and exp, sub when it
    has validUntil, a subject id)."""
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
    key = current_jwt_key()
    header = {"alg": ALGORITHM, "kid": jwt_kid(key.name), "typ": "JWT"}
    return jwt.encode(header, claims, _ec_key(key.private), algorithms=[ALGORITHM])
