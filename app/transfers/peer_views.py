"""The installation-to-installation API: other trusted Puente installations send moves here."""

from flask import Blueprint, current_app, jsonify, request

from app.extensions import csrf, limiter
from app.installation import PEER_API_PATH
from app.transfers.checking import MAX_PACKAGE_BYTES
from app.transfers.exchange import accept_move
from app.transfers.peers import PeerError, verify_signed_request

bp = Blueprint("peer", __name__, url_prefix=PEER_API_PATH)
csrf.exempt(bp)  # no cookies here: every request carries an HTTP message signature instead


@bp.errorhandler(PeerError)
def refused(error: PeerError):
    # Always JSON for another installation; the commit point rolls back a 4xx.
    return jsonify({"error": str(error)}), error.status


@bp.post("/moves")
@limiter.limit("120 per minute")
def receive_move():
    if (request.content_length or 0) > MAX_PACKAGE_BYTES + 10_000:
        raise PeerError("The request is too large.", 413)
    body = request.get_data(cache=False)
    sender = verify_signed_request(
        request.method, request.full_path.rstrip("?"), request.headers, body
    )
    inbound, new = accept_move(sender, body)
    current_app.logger.info(
        "move %s from %s: %s", inbound.id, sender.issuer, "new" if new else "known"
    )
    return jsonify({"id": inbound.id, "status": inbound.status.value}), 201 if new else 200
