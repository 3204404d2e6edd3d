"""The VC-JWT's P-256 key files: where the first one lives, reading (or first making) one, and
its public half as a Multikey value."""

import os
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

JWT_KEY_NAME = "p256-1"
# The multicodec prefix of a compressed P-256 public key (p256-pub, 0x1200, as a varint).
MULTICODEC_P256_PUB = b"\x80\x24"


def jwt_key_file() -> Path:
    """p256-1's file: JWT_SIGNING_KEY_FILE, or signing_key-p256.pem beside SIGNING_KEY_FILE."""
    configured = current_app.config.get("JWT_SIGNING_KEY_FILE")
    if configured:
        return Path(configured)
    ed25519 = Path(current_app.config["SIGNING_KEY_FILE"])
    return ed25519.with_name(f"{ed25519.stem}-p256.pem")


def load_p256_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key file, created (readable by the owner only) when it is not there yet.

    :raises ValueError: when the file holds another kind of key.
    """
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
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise ValueError(f"{path} is not a P-256 private key")
    return private


def p256_multibase(key) -> str:
    """The public key as a Multikey value: 'z' + base58btc(0x8024 || compressed point)."""
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    point = public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
    )
    return "z" + base58.b58encode(MULTICODEC_P256_PUB + point).decode()


def p256_from_multibase(value: str) -> ec.EllipticCurvePublicKey:
    data = base58.b58decode(value[1:])
    if not value.startswith("z") or data[:2] != MULTICODEC_P256_PUB:
        raise ValueError("not a P-256 Multikey value")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[2:])
