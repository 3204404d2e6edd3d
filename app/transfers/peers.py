"""Requests between Puente installations: signed with the installation key (HTTP Message
Signatures, RFC 9421, Ed25519, over the method, the target address, the content type and the
body's digest), checked against the trust list, fresh and never replayed."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app
from flask_babel import gettext as _
from http_message_signatures import HTTPMessageSigner, HTTPMessageVerifier, InvalidSignature
from http_message_signatures.algorithms import ED25519
from http_message_signatures.exceptions import HTTPMessageSignaturesException
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from app.certificates.keys import current_signing_key
from app.errors import DomainError
from app.extensions import db
from app.installation import base_url, key_id
from app.transfers.models import PeerNonce, TrustedIssuer
from app.transfers.peer_keys import trusted_issuer, trusted_public_key

TAG = "puente-peer"
COVERED = ("@method", "@target-uri", "content-type", "content-digest")


class PeerError(DomainError):
    """A request to or from another installation failed; the message says why."""

    status = 400


class _OwnKey:
    def resolve_private_key(self, key_id: str):
        return current_signing_key().private


class _TrustedKeys:
    """Public keys of trusted installations, by the verification method a signature names."""

    def __init__(self):
        self.sender: TrustedIssuer | None = None

    def resolve_public_key(self, method: str):
        issuer = method.split("#")[0].split("/keys/")[0]
        row = trusted_issuer(issuer)
        key = trusted_public_key(row, method) if row is not None else None
        if key is not None:
            self.sender = row
        return key


def post_signed(url: str, document: dict) -> requests.Response:
    """POST `document` as JSON to another installation, signed with this installation's key.

    :raises PeerError: when the installation cannot be reached.
    """
    body = json.dumps(document, ensure_ascii=False).encode()
    request = requests.Request(
        "POST", url, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
    HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_OwnKey()).sign(
        request,
        key_id=key_id(current_signing_key().name),
        created=datetime.now(UTC),
        nonce=uuid.uuid4().hex,
        tag=TAG,
        covered_component_ids=COVERED[:3],
        body=body,
    )
    try:
        with requests.Session() as session:
            return session.send(request, timeout=current_app.config["PEER_TIMEOUT"])
    except requests.RequestException as error:
        raise PeerError(
            _(
                "The other installation could not be reached (%(error)s).",
                error=type(error).__name__,
            ),
            502,
        ) from error


@dataclass
class _Message:
    method: str
    url: str
    headers: dict


def verify_signed_request(method: str, path: str, headers, body: bytes) -> TrustedIssuer:
    """The trusted installation that signed this request, after checking the signature, its
    age, the body's digest, that it was made for this installation's address, and that its
    nonce was never seen before (the nonce is recorded).

    :raises PeerError: 401 for a missing, wrong, stale or untrusted signature; 409 for a replay.
    """
    # The signed target is this installation's public address, never what the Host header says.
    message = _Message(method, f"{base_url()}{path}", dict(headers))
    keys = _TrustedKeys()
    verifier = HTTPMessageVerifier(signature_algorithm=ED25519, key_resolver=keys)
    max_age = timedelta(seconds=current_app.config["PEER_SIGNATURE_MAX_AGE"])
    try:
        (result,) = verifier.verify(
            message, max_age=max_age, expect_tag=TAG, require_components=COVERED, body=body
        )
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError) as error:
        current_app.logger.info("peer request refused: %s", error)
        raise PeerError(_("The request is not signed by a trusted installation."), 401) from None
    if keys.sender is None or not result.nonce:
        raise PeerError(_("The request is not signed by a trusted installation."), 401)
    _remember_nonce(keys.sender.issuer, result.nonce, max_age)
    return keys.sender


def _remember_nonce(sender: str, nonce: str, max_age: timedelta) -> None:
    horizon = datetime.now(UTC).replace(tzinfo=None) - 2 * max_age
    db.session.execute(delete(PeerNonce).where(PeerNonce.created_at < horizon))
    try:
        with db.session.begin_nested():
            db.session.add(PeerNonce(sender=sender, nonce=nonce[:64]))
    except IntegrityError:
        raise PeerError(_("This request was already received once."), 409) from None
