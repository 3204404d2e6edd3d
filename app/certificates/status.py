"""W3C Bitstring Status List v1.0: the list's address, a credential's entry, and the bits.

Bit i is the i-th bit from the left of the uncompressed list (index 0 is the high bit of the
first byte); the list travels gzip-compressed, base64url-encoded without padding, prefixed "u"
(multibase).
"""

import base64
import gzip

from flask import current_app

PURPOSE = "revocation"
MIN_BITS = 131_072  # 16 KB: the specification's minimum, so no list gives away who is in it


def status_list_url() -> str:
    """The stable public address of the installation's revocation list."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/status/{PURPOSE}"


def status_entry(index: int) -> dict:
    """A credential's `credentialStatus`: its bit in the installation's revocation list."""
    url = status_list_url()
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def list_length(next_index: int) -> int:
    """Bits the list needs for indexes below `next_index`: whole multiples of MIN_BITS."""
    blocks = max(1, -(-next_index // MIN_BITS))
    return blocks * MIN_BITS


def encode_list(indexes, length: int) -> str:
    """The `encodedList` with the bits at `indexes` set."""
    bits = bytearray(length // 8)
    for index in indexes:
        if not 0 <= index < length:
            raise ValueError(f"status index {index} is outside a list of {length} bits")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode to the same text.
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()


def decode_list(encoded: str) -> bytes:
    """The uncompressed bits of an `encodedList`."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    data = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
