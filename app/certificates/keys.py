"""The installation's signing keys: which one signs now, every one published, rotation, backup.

The set has two kinds: Ed25519 (key-1 is the file SIGNING_KEY_FILE; it signs the Data Integrity
proofs) and P-256 (p256-1 is JWT_SIGNING_KEY_FILE; it signs the VC-JWT form). Each rotation
makes a new key of each kind in a new file beside the first (never overwriting one) and records
it, so what an older key signed keeps verifying. A key that certificates depend on is never
made again silently: without its file the installation refuses to sign, and
(check_signing_keys) to start.
"""

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import exists, func, inspect, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record_event
from app.certificates.models import Certificate, SigningKey
from app.certificates.p256 import (
    JWT_KEY_NAME,
    jwt_key_file,
    load_p256_key,
    p256_multibase,
)
from app.certificates.signing import (
    load_private_key,
    public_key_from_multibase,
    public_key_multibase,
    sign_document,
)
from app.common import utcnow
from app.extensions import db
from app.installation import KEY_NAME, issuer_id, key_id

ED25519 = "Ed25519"
P256 = "P-256"
# The kinds of key one rotation renews, each with its first key's name prefix.
ROTATED_KINDS = (ED25519, P256)
_PREFIX = {ED25519: "key", P256: "p256"}


class SigningKeyMissingError(RuntimeError):
    """A recorded signing key's private file is not there: restore it (flask keys import)."""


@dataclass(frozen=True)
class CurrentKey:
    name: str
    private: Ed25519PrivateKey


@dataclass(frozen=True)
class CurrentJwtKey:
    name: str
    private: ec.EllipticCurvePrivateKey


def key_folder(kind: str = ED25519) -> Path:
    """The folder of a kind's key files: its first key's."""
    return _first_file(kind).parent


def _first_file(kind: str) -> Path:
    return jwt_key_file() if kind == P256 else Path(current_app.config["SIGNING_KEY_FILE"])


def key_path(row: SigningKey) -> Path:
    return key_folder(row.kind) / row.file_name


def _public_multibase(private, kind: str) -> str:
    return p256_multibase(private) if kind == P256 else public_key_multibase(private)


def _missing(row_or_path) -> SigningKeyMissingError:
    path = row_or_path if isinstance(row_or_path, Path) else key_path(row_or_path)
    return SigningKeyMissingError(
        f"The signing key file {path} is missing, and certificates were signed with it. "
        "Restore it from the backup (flask keys import BACKUP.json) instead of making a new "
        "key: a new key would make every issued certificate unverifiable here."
    )


def _signed_here(kind: str = ED25519) -> bool:
    """Whether a signed credential depends on this installation's key of `kind` (one being
    signed now, in this transaction, has no credential yet)."""
    column = Certificate.credential_jwt if kind == P256 else Certificate.credential
    return bool(db.session.scalar(select(exists().where(column.is_not(None)))))


def _rows(kind: str) -> list[SigningKey]:
    return list(
        db.session.scalars(
            select(SigningKey).where(SigningKey.kind == kind).order_by(SigningKey.id)
        )
    )


def published_keys() -> list[SigningKey]:
    """Every Ed25519 signing key, oldest first (key-1 is recorded on first use)."""
    return _rows(ED25519) or [_record_first_key(ED25519)]


def published_jwt_keys() -> list[SigningKey]:
    """Every P-256 key of the VC-JWT form, oldest first (p256-1 is recorded on first use)."""
    return _rows(P256) or [_record_first_key(P256)]


def _record_first_key(kind: str) -> SigningKey:
    path = _first_file(kind)
    if not path.exists() and _signed_here(kind):
        raise _missing(path)
    private = load_p256_key(path) if kind == P256 else load_private_key(path)
    name = JWT_KEY_NAME if kind == P256 else KEY_NAME
    first_issued = db.session.scalar(select(func.min(Certificate.issued_at)))
    try:
        with db.session.begin_nested():
            row = SigningKey(
                name=name,
                kind=kind,
                public_key_multibase=_public_multibase(private, kind),
                file_name=path.name,
                valid_from=first_issued or utcnow(),
            )
            db.session.add(row)
    except IntegrityError:  # another worker recorded it first
        row = db.session.scalar(select(SigningKey).where(SigningKey.name == name))
    return row


def current_signing_key() -> CurrentKey:
    """The key that signs now, with its private half (looked up once per transaction, so a
    batch signing many documents asks the database once).

    :raises SigningKeyMissingError: when its file is gone or holds another key.
    """
    return _current(ED25519)


def current_jwt_key() -> CurrentJwtKey:
    """The P-256 key that signs VC-JWTs now, with its private half (as current_signing_key).

    :raises SigningKeyMissingError: when its file is gone or holds another key.
    """
    return _current(P256)


def _current(kind: str):
    transaction = db.session().get_transaction()
    cached = db.session().info.get(_CACHE + kind)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return cached[1]
    rows = published_jwt_keys() if kind == P256 else published_keys()
    row = next(r for r in reversed(rows) if r.valid_until is None)
    path = key_path(row)
    if not path.exists():
        raise _missing(row)
    private = _private_key(str(path), path.stat().st_mtime_ns, row.public_key_multibase, kind)
    key = (CurrentJwtKey if kind == P256 else CurrentKey)(row.name, private)
    _remember(key, kind)
    return key


_CACHE = "puente_signing_key_"


def _remember(key, kind: str | None = None) -> None:
    transaction = db.session().get_transaction()
    for each in ROTATED_KINDS if kind is None else (kind,):
        if key is None or transaction is None:
            db.session().info.pop(_CACHE + each, None)
        else:
            db.session().info[_CACHE + each] = (transaction, key)


@lru_cache(maxsize=16)
def _private_key(path: str, _mtime: int, public: str, kind: str = ED25519):
    """A key file, read and checked once per version of the file."""
    private = load_p256_key(Path(path)) if kind == P256 else load_private_key(Path(path))
    if _public_multibase(private, kind) != public:
        raise SigningKeyMissingError(f"{path} holds another key than the one recorded for it.")
    return private


def public_key_named(name: str) -> Ed25519PublicKey | None:
    """The public key recorded as `name` (key-1, key-2, …), or None."""
    for row in published_keys():
        if row.name == name:
            return public_key_from_multibase(row.public_key_multibase)
    return None


def rotate_signing_keys(by) -> SigningKey:
    """Make a new key of each kind (Ed25519 and the VC-JWT's P-256): what is issued from now on
    is signed with them; every older key stays published (with the dates it signed) so what it
    signed keeps verifying. Returns the new Ed25519 key.

    :param by: the admin rotating, or None from the command line (recorded in the audit trail).
    """
    rows = published_keys()
    current = next(r for r in reversed(rows) if r.valid_until is None)
    signer = current_signing_key()  # refused without the current key's file
    jwt_rows = published_jwt_keys()
    jwt_current = next(r for r in reversed(jwt_rows) if r.valid_until is None)
    current_jwt_key()  # refused without the current P-256 key's file
    now = utcnow()
    name, path, private = _new_key_file(ED25519, rows)
    jwt_name, jwt_path, jwt_private = _new_key_file(P256, jwt_rows)
    current.valid_until = now
    jwt_current.valid_until = now
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
    jwt_row = SigningKey(
        name=jwt_name,
        kind=P256,
        public_key_multibase=p256_multibase(jwt_private),
        file_name=jwt_path.name,
        valid_from=now,
        created_by_id=getattr(by, "id", None),
    )
    db.session.add_all([row, jwt_row])
    db.session.flush()  # two rotations at once: the unique name lets one through
    record_event(
        by,
        "signing_key.rotated",
        row,
        retired=current.name,
        key=name,
        jwt_retired=jwt_current.name,
        jwt_key=jwt_name,
    )
    _remember(CurrentKey(name, private), ED25519)
    _remember(CurrentJwtKey(jwt_name, jwt_private), P256)
    return row


def _new_key_file(kind: str, rows: list[SigningKey]):
    """The next key of `kind`: its name, its new file (written) and its private half."""
    number = max(int(r.name.rsplit("-", 1)[1]) for r in rows) + 1
    name = f"{_PREFIX[kind]}-{number}"
    path = key_folder(kind) / f"{_first_file(kind).stem}.{name}.{secrets.token_hex(4)}.pem"
    private = (
        ec.generate_private_key(ec.SECP256R1()) if kind == P256 else Ed25519PrivateKey.generate()
    )
    write_private_key(path, private)
    return name, path, private


def write_private_key(path: Path, private) -> None:
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
    for kind in ROTATED_KINDS:
        rows = _rows(kind)
        if not rows:
            path = _first_file(kind)
            if not path.exists() and _signed_here(kind):
                raise _missing(path)
            continue
        for row in rows:
            if row.valid_until is None and not key_path(row).exists():
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
    """Every signing key of both kinds with its private half (a backup: keep it as safe as the
    keys themselves)."""
    keys = []
    for row in [*published_keys(), *published_jwt_keys()]:
        path = key_path(row)
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
        kind = entry.get("kind", ED25519)
        if kind not in ROTATED_KINDS:
            raise ValueError(f"{entry['name']}: unknown kind of key {kind!r}")
        private = serialization.load_pem_private_key(pem.encode(), None) if pem else None
        if (
            private is not None
            and _public_multibase(private, kind) != entry["public_key_multibase"]
        ):
            raise ValueError(f"{entry['name']}: the private key does not match its public key")
        row = rows.get(entry["name"])
        if row is not None and row.public_key_multibase != entry["public_key_multibase"]:
            raise ValueError(f"{entry['name']} is recorded here with another public key")
        if row is None:
            db.session.add(
                SigningKey(
                    name=entry["name"],
                    kind=kind,
                    public_key_multibase=entry["public_key_multibase"],
                    file_name=entry["file_name"],
                    valid_from=datetime.fromisoformat(entry["valid_from"]),
                    valid_until=datetime.fromisoformat(entry["valid_until"])
                    if entry["valid_until"]
                    else None,
                )
            )
        path = key_folder(kind) / (row.file_name if row is not None else entry["file_name"])
        if private is None:
            continue
        if path.exists():
            here = serialization.load_pem_private_key(path.read_bytes(), None)
            if _public_multibase(here, kind) != entry["public_key_multibase"]:
                raise ValueError(f"{path} already holds another key")
            continue
        write_private_key(path, private)
        written.append(path.name)
    db.session.flush()
    _remember(None)
    return written
