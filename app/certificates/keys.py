"""The installation's signing keys: which one signs now, every one published, rotation, backup.

key-1 is the file SIGNING_KEY_FILE; each rotation makes a new key in a new file beside it
(never overwriting one) and records it, so what an older key signed keeps verifying. A key
that certificates depend on is never made again silently: without its file the installation
refuses to sign, and (check_signing_keys) to start.
"""

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import exists, func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_event
from app.certificates.models import Certificate, SigningKey
from app.certificates.signing import (
    load_private_key,
    public_key_from_multibase,
    public_key_multibase,
    sign_document,
)
from app.common import utcnow
from app.extensions import db
from app.installation import KEY_NAME, issuer_id, key_id

# The kinds of key one rotation renews. The VC-JWT's P-256 key joins here when it is recorded
# in signing_key (kind "P-256"): rotate_signing_keys then renews it with the Ed25519 key.
ROTATED_KINDS = ("Ed25519",)


class SigningKeyMissingError(RuntimeError):
    """A recorded signing key's private file is not there: restore it (flask keys import)."""


@dataclass(frozen=True)
class CurrentKey:
    name: str
    private: Ed25519PrivateKey


def key_folder() -> Path:
    return Path(current_app.config["SIGNING_KEY_FILE"]).parent


def _missing(row_or_path) -> SigningKeyMissingError:
    path = row_or_path if isinstance(row_or_path, Path) else key_folder() / row_or_path.file_name
    return SigningKeyMissingError(
        f"The signing key file {path} is missing, and certificates were signed with it. "
        "Restore it from the backup (flask keys import BACKUP.json) instead of making a new "
        "key: a new key would make every issued certificate unverifiable here."
    )


def _signed_here() -> bool:
    """Whether a signed credential depends on this installation's key (one being signed now,
    in this transaction, has no credential yet)."""
    return bool(db.session.scalar(select(exists().where(Certificate.credential.is_not(None)))))


def published_keys() -> list[SigningKey]:
    """Every signing key, oldest first (key-1 is recorded on first use)."""
    rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.id)))
    return rows or [_record_first_key()]


def _record_first_key() -> SigningKey:
    path = Path(current_app.config["SIGNING_KEY_FILE"])
    if not path.exists() and _signed_here():
        raise _missing(path)
    public = public_key_multibase(load_private_key(path))
    first_issued = db.session.scalar(select(func.min(Certificate.issued_at)))
    try:
        with db.session.begin_nested():
            row = SigningKey(
                name=KEY_NAME,
                kind="Ed25519",
                public_key_multibase=public,
                file_name=path.name,
                valid_from=first_issued or utcnow(),
            )
            db.session.add(row)
    except IntegrityError:  # another worker recorded it first
        row = db.session.scalar(select(SigningKey).where(SigningKey.name == KEY_NAME))
    return row


def current_signing_key() -> CurrentKey:
    """The key that signs now, with its private half (looked up once per transaction, so a
    batch signing many documents asks the database once).

    :raises SigningKeyMissingError: when its file is gone or holds another key.
    """
    transaction = db.session().get_transaction()
    cached = db.session().info.get(_CACHE)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    row = next(r for r in reversed(published_keys()) if r.valid_until is None)
    path = key_folder() / row.file_name
    if not path.exists():
        raise _missing(row)
    private = _private_key(str(path), path.stat().st_mtime_ns, row.public_key_multibase)
    key = CurrentKey(row.name, private)
    _remember(key)
    return key


_CACHE = "puente_signing_key"


def _remember(key: CurrentKey | None) -> None:
    transaction = db.session().get_transaction()
    if key is None or transaction is None:
        db.session().info.pop(_CACHE, None)
    else:
        db.session().info[_CACHE] = (transaction, key)


@lru_cache(maxsize=16)
def _private_key(path: str, _mtime: int, public: str) -> Ed25519PrivateKey:
    """A key file, read and checked once per version of the file."""
    private = load_private_key(Path(path))
    if public_key_multibase(private) != public:
        raise SigningKeyMissingError(f"{path} holds another key than the one recorded for it.")
    return private


def public_key_named(name: str) -> Ed25519PublicKey | None:
    """The public key recorded as `name` (key-1, key-2, …), or None."""
    for row in published_keys():
        if row.name == name:
            return public_key_from_multibase(row.public_key_multibase)
    return None


def rotate_signing_keys(by) -> SigningKey:
    """Make a new signing key: what is issued from now on is signed with it; every older key
    stays published (with the dates it signed) so what it signed keeps verifying.

    :param by: the admin rotating, or None from the command line (recorded in the audit trail).
    """
    rows = published_keys()
    current = next(r for r in reversed(rows) if r.valid_until is None)
    signer = current_signing_key()  # refused without the current key's file
    number = max(int(r.name.rsplit("-", 1)[1]) for r in rows) + 1
    name = f"key-{number}"
    stem = Path(current_app.config["SIGNING_KEY_FILE"]).stem
    path = key_folder() / f"{stem}.{name}.{secrets.token_hex(4)}.pem"
    private = Ed25519PrivateKey.generate()
    write_private_key(path, private)
    now = utcnow()
    current.valid_until = now
    stamp = now.replace(microsecond=0).isoformat() + "Z"
    endorsement = sign_document(
        {
            "id": key_id(name),
            "type": "Multikey",
            "controller": issuer_id(),
            "publicKeyMultibase": public_key_multibase(private),
        },
        signer.private,
        key_id(signer.name),
        stamp,
    )
    row = SigningKey(
        endorsement=endorsement,
        name=name,
        kind="Ed25519",
        public_key_multibase=public_key_multibase(private),
        file_name=path.name,
        valid_from=now,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(row)
    db.session.flush()  # two rotations at once: the unique name lets one through
    record_event(by, "signing_key.rotated", row, retired=current.name, key=name)
    _remember(CurrentKey(name, private))
    return row


def write_private_key(path: Path, private: Ed25519PrivateKey) -> None:
    """Write a private key file readable by its owner only; never over an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


def check_signing_keys() -> None:
    """Refuse to start when certificates depend on a key whose file is gone.

    :raises SigningKeyMissingError: naming the file and how to restore it.
    """
    tables = set(inspect(db.engine).get_table_names())
    if not {"signing_key", "certificate"} <= tables:
        return  # before `flask db upgrade`
    rows = list(db.session.scalars(select(SigningKey).order_by(SigningKey.id)))
    if not rows:
        path = Path(current_app.config["SIGNING_KEY_FILE"])
        if not path.exists() and _signed_here():
            raise _missing(path)
        return
    for row in rows:
        if row.valid_until is None and not (key_folder() / row.file_name).exists():
            raise _missing(row)


# Commands that must run without the key: the ones that restore it or build the schema.
KEYLESS_COMMANDS = {"keys", "db"}


def check_signing_keys_at_start(app) -> None:
    """create_app's check (CHECK_SIGNING_KEYS): refuse to serve or work without the key.

    :raises SigningKeyMissingError: see check_signing_keys.
    """
    import sys

    import click

    command = sys.argv[1] if len(sys.argv) > 1 else None
    if click.get_current_context(silent=True) is not None and command in KEYLESS_COMMANDS:
        return
    with app.app_context():
        try:
            check_signing_keys()
        finally:
            db.session.remove()


def export_keys() -> dict:
    """Every signing key with its private half (a backup: keep it as safe as the key itself)."""
    keys = []
    for row in published_keys():
        path = key_folder() / row.file_name
        keys.append(
            {
                "name": row.name,
                "kind": row.kind,
                "public_key_multibase": row.public_key_multibase,
                "file_name": row.file_name,
                "valid_from": row.valid_from.isoformat(),
                "valid_until": row.valid_until.isoformat() if row.valid_until else None,
                "private_key_pem": path.read_text() if path.exists() else None,
            }
        )
    return {"format": "puente-signing-keys/1", "keys": keys}


def import_keys(backup: dict) -> list[str]:
    """Restore the key files (and records) of a backup; the names of the files written.

    :raises ValueError: when the backup is not one, or a key in it does not match its record
        or a file already here.
    """
    from datetime import datetime

    if not isinstance(backup, dict) or backup.get("format") != "puente-signing-keys/1":
        raise ValueError("not a Puente signing key backup (flask keys export)")
    rows = {r.name: r for r in db.session.scalars(select(SigningKey))}
    written = []
    for entry in backup["keys"]:
        pem = entry.get("private_key_pem")
        private = serialization.load_pem_private_key(pem.encode(), None) if pem else None
        if private is not None and public_key_multibase(private) != entry["public_key_multibase"]:
            raise ValueError(f"{entry['name']}: the private key does not match its public key")
        row = rows.get(entry["name"])
        if row is not None and row.public_key_multibase != entry["public_key_multibase"]:
            raise ValueError(f"{entry['name']} is recorded here with another public key")
        if row is None:
            db.session.add(
                SigningKey(
                    name=entry["name"],
                    kind=entry["kind"],
                    public_key_multibase=entry["public_key_multibase"],
                    file_name=entry["file_name"],
                    valid_from=datetime.fromisoformat(entry["valid_from"]),
                    valid_until=datetime.fromisoformat(entry["valid_until"])
                    if entry["valid_until"]
                    else None,
                )
            )
        path = key_folder() / (row.file_name if row is not None else entry["file_name"])
        if private is None:
            continue
        if path.exists():
            here = load_private_key(path)
            if public_key_multibase(here) != entry["public_key_multibase"]:
                raise ValueError(f"{path} already holds another key")
            continue
        write_private_key(path, private)
        written.append(path.name)
    db.session.flush()
    _remember(None)
    return written
