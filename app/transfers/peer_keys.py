"""The keys of trusted installations: the first key, pinned when an admin trusted it, and the
keys it rotated to, learnt by following their chain of endorsements (each new key's document
signed by the key it replaced, published at ISSUER/keys), never on the installation's word."""

import requests
from sqlalchemy import select

from app.certificates.signing import public_key_from_multibase, verify_document
from app.extensions import db
from app.installation import KEY_NAME, key_name_of
from app.transfers.models import TrustedIssuer

MAX_KEY_LIST_BYTES = 500_000
MAX_KEYS = 1000


def trusted_issuer(issuer: str) -> TrustedIssuer | None:
    return db.session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == issuer))


def trusted_public_key(row: TrustedIssuer, method: str):
    """The public key `method` names, if it is the trusted installation's pinned key or one it
    rotated to (looked up at the installation when not known yet)."""
    name = key_name_of(row.issuer, method)
    if name is None:
        return None
    if name == KEY_NAME:
        return public_key_from_multibase(row.public_key_multibase)
    known = row.rotated_keys or {}
    if name not in known:
        known = learn_rotated_keys(row)
    value = known.get(name)
    return public_key_from_multibase(value) if value else None


def learn_rotated_keys(row: TrustedIssuer) -> dict[str, str]:
    """Follow the installation's endorsement chain from its pinned key; what it proves is kept
    (row.rotated_keys). An unreachable installation or a broken link teaches nothing more."""
    try:
        response = requests.get(f"{row.issuer}/keys", timeout=5)
        if not response.ok or len(response.content) > MAX_KEY_LIST_BYTES:
            return row.rotated_keys or {}
        listed = response.json().get("keys")
    except (requests.RequestException, ValueError, AttributeError):
        return row.rotated_keys or {}
    by_name = {}
    for entry in listed[:MAX_KEYS] if isinstance(listed, list) else []:
        name = key_name_of(row.issuer, entry.get("id")) if isinstance(entry, dict) else None
        if name:
            by_name[name] = entry
    trusted = {KEY_NAME: row.public_key_multibase}
    number = 2
    while f"key-{number}" in by_name:
        name, previous = f"key-{number}", f"key-{number - 1}"
        endorsement = by_name[name].get("endorsement")
        if not _endorsed(endorsement, row.issuer, name, previous, trusted[previous]):
            break
        trusted[name] = endorsement["publicKeyMultibase"]
        number += 1
    learnt = {k: v for k, v in trusted.items() if k != KEY_NAME}
    if learnt != (row.rotated_keys or {}):
        row.rotated_keys = learnt
    return learnt


def _endorsed(document, issuer: str, name: str, previous: str, previous_key: str) -> bool:
    """Whether `document` is key `name`'s Multikey, signed by the trusted key `previous`."""
    if not isinstance(document, dict) or document.get("id") != f"{issuer}/keys/{name}":
        return False
    proof = document.get("proof")
    if not isinstance(proof, dict) or proof.get("verificationMethod") != (
        f"{issuer}/keys/{previous}"
    ):
        return False
    try:
        public_key_from_multibase(document.get("publicKeyMultibase") or "")
    except ValueError:
        return False
    return verify_document(document, public_key_from_multibase(previous_key))
