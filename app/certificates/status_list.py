"""The installation's revocation list: index allocation and the signed status list credential.

Indexes come from a sequence on PostgreSQL (nothing locked: issuers sign while their PDFs
render, side by side) and from one counter row, locked, on SQLite (one writer at a time there);
the unique index on certificate.status_index is the last word. The row is locked to grow the
list (every 131,072 indexes) and to sign it. The
signed BitstringStatusListCredential is rebuilt in the transaction that changes a bit, so the
public list shows a revocation as soon as it is committed.
"""

from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from app.certificates.credential import sign_credential
from app.certificates.models import STATUS_INDEXES, Certificate, StatusList
from app.certificates.status import PURPOSE, encode_list, list_length, status_list_url
from app.common import utcnow
from app.extensions import db
from app.installation import issuer_id

STATUS_CONTEXT = "https://www.w3.org/ns/credentials/v2"  # defines every Bitstring Status List term


def _locked_list() -> StatusList:
    """The status list row, locked until the transaction ends (made on first use)."""
    stmt = (
        select(StatusList)
        .where(StatusList.purpose == PURPOSE)
        .with_for_update()
        .options(undefer(StatusList.credential))
        .execution_options(populate_existing=True)
    )
    row = db.session.scalar(stmt)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(StatusList(purpose=PURPOSE, next_index=0, length=0, revision=0))
        except IntegrityError:  # another transaction made it first
            pass
        row = db.session.scalar(stmt)
    return row


def allocate_status_indexes(certs: list[Certificate]) -> None:
    """Give each certificate a free index of the list (a longer list when it is full)."""
    if not certs:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        indexes = _indexes_from_sequence(len(certs))
        _grow_to(indexes[-1] + 1)
    else:
        row = _locked_list()
        indexes = list(range(row.next_index, row.next_index + len(certs)))
        row.next_index = indexes[-1] + 1
        if list_length(row.next_index) != row.length or row.credential is None:
            _rebuild(row)
    for cert, index in zip(certs, indexes, strict=True):
        cert.status_index = index


def _indexes_from_sequence(count: int) -> list[int]:
    numbers = select(STATUS_INDEXES.next_value()).select_from(func.generate_series(1, count))
    return sorted(db.session.scalars(numbers))


def _grow_to(next_index: int) -> None:
    """Make the published list cover the indexes below `next_index`; the row is locked only
    to grow the list or to sign it the first time."""
    stmt = select(StatusList.length).where(StatusList.purpose == PURPOSE, StatusList.revision > 0)
    length = db.session.scalar(stmt)
    if length is not None and list_length(next_index) <= length:
        return
    row = _locked_list()
    row.next_index = max(row.next_index, next_index)
    if list_length(row.next_index) != row.length or row.credential is None:
        _rebuild(row)


def refresh_status_list() -> StatusList:
    """Rebuild and sign the list from the revoked certificates, as the database has them now."""
    row = _locked_list()
    _rebuild(row)
    return row


def current_status_list() -> StatusList:
    """The list to publish, as the last change signed it. Before the first certificate it is
    signed empty on the spot and not stored (a GET writes nothing; the first issue stores it)."""
    row = db.session.scalar(
        select(StatusList)
        .where(StatusList.purpose == PURPOSE)
        .options(undefer(StatusList.credential))
    )
    if row is not None and row.credential is not None:
        return row
    empty = StatusList(purpose=PURPOSE, next_index=0, length=0, revision=0)
    _sign(empty, revoked=[])
    return empty


def _rebuild(row: StatusList) -> None:
    db.session.flush()  # the revocations of this transaction count
    revoked = db.session.scalars(
        select(Certificate.status_index).where(
            Certificate.revoked_at.is_not(None), Certificate.status_index.is_not(None)
        )
    )
    _sign(row, revoked)


def _sign(row: StatusList, revoked) -> None:
    now = utcnow().replace(microsecond=0)
    stamp = now.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    row.length = list_length(row.next_index)
    row.revision += 1
    row.updated_at = now
    url = status_list_url()
    row.credential = sign_credential(
        {
            "@context": [STATUS_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_id(),
            "validFrom": stamp,
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": PURPOSE,
                "encodedList": encode_list(revoked, row.length),
            },
        },
        stamp,
    )
