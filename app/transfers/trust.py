"""Trusting another Puente installation: from its issuer document, pasted by an admin."""

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.certificates.signing import public_key_from_multibase
from app.errors import DomainError
from app.extensions import db
from app.installation import PEER_API_PATH, PEER_SERVICE_TYPE, issuer_id, key_ids_of
from app.places import place
from app.transfers.models import TrustedIssuer
from app.users.models import User

MAX_DOCUMENT_BYTES = 20_000


class TrustError(DomainError):
    """The installation cannot be trusted as given; the message says why."""

    status = 400


@dataclass
class IssuerFacts:
    issuer: str
    name: str
    public_key: str
    peer_endpoint: str | None
    areas_served: list[str]


def read_issuer_document(text: str) -> IssuerFacts:
    """What an installation's issuer document (GET /issuer) says about it.

    :raises TrustError: naming what is missing or wrong.
    """
    if len(text.encode()) > MAX_DOCUMENT_BYTES:
        raise TrustError(_("The issuer document is too long."))
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise TrustError(
            _("Paste the whole issuer document: it is JSON, starting with “{”.")
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        raise TrustError(_("This is not an issuer document: it has no “id”."))
    issuer = document["id"]
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.netloc or not issuer.endswith("/issuer"):
        raise TrustError(_("The issuer id must be an address ending in /issuer."))
    methods = document.get("verificationMethod")
    keys = {
        m.get("publicKeyMultibase")
        for m in (methods if isinstance(methods, list) else [])
        if isinstance(m, dict) and m.get("id") in key_ids_of(issuer)
    }
    if len(keys) != 1:
        raise TrustError(_("The issuer document does not publish exactly one signing key."))
    public_key = keys.pop()
    check_public_key(public_key)
    endpoint, areas = _peer_service(document, issuer)
    name = document.get("name") if isinstance(document.get("name"), str) else ""
    return IssuerFacts(issuer, name.strip()[:200], public_key, endpoint, areas)


def _peer_service(document: dict, issuer: str) -> tuple[str | None, list[str]]:
    services = document.get("service")
    for service in services if isinstance(services, list) else []:
        if not isinstance(service, dict) or service.get("type") != PEER_SERVICE_TYPE:
            continue
        endpoint = service.get("serviceEndpoint")
        base = issuer.removesuffix("/issuer")
        if endpoint != f"{base}{PEER_API_PATH}":
            raise TrustError(_("The transfer service must be at the installation's own address."))
        areas = service.get("areaServed")
        if not isinstance(areas, list) or not all(
            isinstance(a, str) and place(a) is not None for a in areas
        ):
            raise TrustError(_("The transfer service names a place Puente does not know."))
        return endpoint, sorted(set(areas))
    return None, []


def check_public_key(value: str) -> None:
    """:raises TrustError: when `value` is not an Ed25519 Multikey."""
    try:
        public_key_from_multibase(value if isinstance(value, str) else "")
    except ValueError:
        raise TrustError(_("This is not an Ed25519 public key.")) from None


def trust_installation(by: User, facts: IssuerFacts) -> TrustedIssuer:
    """Accept packages (and records sent directly) from the installation `facts` describe; the
    same installation with the same key is brought up to date.

    :raises TrustError: for this installation itself, or a known installation with another key.
    """
    if facts.issuer == issuer_id():
        raise TrustError(_("This is this installation's own issuer document."))
    check_public_key(facts.public_key)
    row = db.session.scalar(select(TrustedIssuer).where(TrustedIssuer.issuer == facts.issuer))
    if row is not None and row.public_key_multibase != facts.public_key:
        raise TrustError(
            _("This installation is already trusted with another key: check with its admin first.")
        )
    if row is None:
        row = TrustedIssuer(
            issuer=facts.issuer, public_key_multibase=facts.public_key, added_by_id=by.id
        )
        db.session.add(row)
        action = "transfer.issuer_trusted"
    else:
        action = "transfer.issuer_updated"
    row.name = facts.name or urlsplit(facts.issuer).netloc
    row.peer_endpoint = facts.peer_endpoint
    row.areas_served = facts.areas_served
    db.session.flush()
    record_event(
        by, action, row, issuer=row.issuer, areas=row.areas_served, endpoint=row.peer_endpoint
    )
    return row


def peer_for(destination_code: str) -> TrustedIssuer | None:
    """The trusted installation that serves `destination_code` (a state, or a country) directly."""
    rows = db.session.scalars(
        select(TrustedIssuer)
        .where(TrustedIssuer.peer_endpoint.is_not(None))
        .order_by(TrustedIssuer.name)
    )
    for row in rows:
        areas = row.areas_served or []
        if destination_code in areas or any(a[:2] == destination_code for a in areas):
            return row
    return None


def remove_trusted_installation(by: User, row: TrustedIssuer, reason: str) -> None:
    """Stop accepting packages and records sent from this installation; the audit trail keeps
    who removed it, why, and the key it had.

    :raises TrustError: without a reason.
    """
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise TrustError(_("Say why this installation is no longer trusted."))
    record_event(
        by,
        "transfer.issuer_removed",
        row,
        reason=reason[:1000],
        issuer=row.issuer,
        name=row.name,
        public_key=row.public_key_multibase,
        areas=row.areas_served,
    )
    db.session.delete(row)
    db.session.flush()
