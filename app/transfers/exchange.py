"""Moves sent directly between installations: the sender posts the notice and the signed
package; the receiver lists it under Incoming students and receives it with one click."""

import json
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.common import utcnow
from app.extensions import db
from app.moves.models import InboundStatus, InboundTransfer, MoveStatus, StudentMove
from app.notifications.models import Event
from app.notifications.services import coordinators_for, notify
from app.places import place
from app.sites.models import Site
from app.sites.services import served_places
from app.transfers.checking import check_package
from app.transfers.matching import resolve_target
from app.transfers.models import TrustedIssuer
from app.transfers.package import build_package
from app.transfers.peers import PeerError, post_signed
from app.transfers.services import import_package
from app.transfers.trust import peer_for
from app.users.models import User

MOVES_PATH = "/moves"
NOTE_LENGTH = 500


def peer_for_move(move: StudentMove) -> TrustedIssuer | None:
    """The trusted installation that serves the move's destination, when this one does not."""
    if move.status != MoveStatus.MOVING or move.destination_site_id is not None:
        return None
    return peer_for(move.destination_code)


def send_move(move: StudentMove, by: User) -> TrustedIssuer:
    """Send the notice and the student's signed package to the installation serving the
    destination; it answers once it has checked both.

    :raises PeerError: when no trusted installation serves the destination, it cannot be
        reached, or it refuses (its reason is shown).
    """
    peer = peer_for_move(move)
    if peer is None:
        raise PeerError(
            _("No trusted Puente installation serves %(place)s.", place=move.destination_code)
        )
    student = move.student
    package = build_package(student)
    envelope = {
        "type": "PuenteMoveNotice",
        "move": {
            "id": move.id,
            "destination_code": move.destination_code,
            "move_date": move.move_date.isoformat(),
            "note": move.note,
        },
        "package": package,
    }
    response = post_signed(f"{peer.peer_endpoint}{MOVES_PATH}", envelope)
    if response.status_code not in (200, 201):
        try:
            reason = response.json().get("error") or response.reason
        except ValueError:
            reason = response.reason
        raise PeerError(
            _("%(name)s refused the record: %(reason)s", name=peer.name, reason=reason), 502
        )
    move.sent_to, move.sent_at = peer.issuer, utcnow()
    db.session.flush()
    record_event(
        by,
        "move.sent",
        move,
        student_id=student.id,
        to=peer.issuer,
        package=package["id"],
        destination=move.destination_code,
    )
    return peer


def accept_move(sender: TrustedIssuer, body: bytes) -> tuple[InboundTransfer, bool]:
    """Keep a move another installation sent here, after checking the notice and the package.

    :returns: the incoming record, and whether it is new (sending twice changes nothing).
    :raises PeerError: naming what is wrong (400), or a destination this installation does not
        serve (422).
    """
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        raise PeerError(_("The request is not JSON.")) from None
    if not isinstance(envelope, dict) or envelope.get("type") != "PuenteMoveNotice":
        raise PeerError(_("The request is not a move notice."))
    notice = envelope.get("move") if isinstance(envelope.get("move"), dict) else {}
    move_id, code = notice.get("id"), notice.get("destination_code")
    if not isinstance(move_id, int) or not 0 < move_id < 2**31:
        raise PeerError(_("move/id: a move notice needs its number."))
    if not isinstance(code, str) or place(code) is None:
        raise PeerError(_("move/destination_code: not a place Puente knows."))
    if not any(code in (area, area[:2]) for area in served_places()):
        raise PeerError(_("This installation has no site in %(place)s.", place=code), 422)
    try:
        move_date = date.fromisoformat(notice.get("move_date") or "")
    except (TypeError, ValueError):
        raise PeerError(_("move/move_date: not a date.")) from None
    note = notice.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > NOTE_LENGTH):
        raise PeerError(_("move/note: 500 characters at most."))
    check = check_package(json.dumps(envelope.get("package")).encode())
    if not check.ok:
        raise PeerError("; ".join(check.problems))
    package = check.package
    if package["issuer"] != sender.issuer:
        raise PeerError(_("The package was signed by another installation than the request."))
    known = db.session.scalar(
        select(InboundTransfer).where(
            InboundTransfer.sender == sender.issuer, InboundTransfer.sender_move_id == move_id
        )
    )
    if known is not None:
        return known, False
    identity, origin = package["student"], package["source_site"]
    birth = identity.get("birth_date")
    inbound = InboundTransfer(
        sender=sender.issuer,
        sender_move_id=move_id,
        package_id=package["id"],
        package=package,
        given_name=identity["given_name"],
        family_name=identity["family_name"],
        birth_year=int(birth[:4]) if birth else None,
        origin_site=origin["name"],
        origin_state=origin["state_code"],
        destination_code=code,
        move_date=move_date,
        note=note or None,
    )
    db.session.add(inbound)
    db.session.flush()
    record_event(
        None,
        "move.arrived_from_peer",
        inbound,
        sender=sender.issuer,
        move=move_id,
        package=package["id"],
        destination=code,
    )
    notify(
        Event.STUDENT_INCOMING,
        coordinators_for(code),
        target=("moves.incoming", {}),
        student_name=f"{inbound.given_name} {inbound.family_name}",
        place=code,
    )
    return inbound, True


def needs_review(inbound: InboundTransfer, site: Site, by: User) -> bool:
    """Whether receiving at `site` could continue a record elsewhere (or one of several), so the
    user chooses on the review page instead of one click moving a record silently."""
    choices = resolve_target(inbound.package["student"], by).choices
    return bool(choices) and not (len(choices) == 1 and choices[0].site_id == site.id)


def receive_inbound(inbound: InboundTransfer, site: Site, by: User, choice: str = "auto") -> int:
    """Take the student in at `site`: the package is imported there (continuing the record
    `choice` names — see import_package — or a new one), and the incoming notice is closed.

    :returns: the student's id here.
    :raises TransferError: as import_package; PeerError when already received.
    """
    if inbound.status != InboundStatus.INCOMING:
        raise PeerError(_("This student was already received."), 409)
    if inbound.destination_code not in (site.state_code, site.country):
        raise PeerError(_("Choose a site in %(place)s.", place=inbound.destination_code))
    record = import_package(inbound.package, site, by, choice)
    inbound.status, inbound.student_id = InboundStatus.RECEIVED, record.student_id
    inbound.received_by_id, inbound.received_at = by.id, utcnow()
    db.session.flush()
    record_event(
        by,
        "move.received",
        inbound,
        student_id=record.student_id,
        sender=inbound.sender,
        to_site=site.code,
    )
    return record.student_id
