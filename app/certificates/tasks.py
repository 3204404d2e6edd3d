"""Background bulk issuance: every pending certificate in a coordinator's scope, in chunks.

The job survives a dead worker: its award list is fixed at the first run, each chunk commits
its certificates with the job's progress and a renewed lease, and a run that finds the lease
stale (the worker died) claims the job and finishes the awards not yet certified — each award
once, since issuing locks the award and the database allows one valid certificate per award.
"""

from datetime import timedelta
from itertools import pairwise

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.certificates.documents import RUN_SIZE, DocumentError
from app.certificates.models import Certificate, CertificateJob, JobStatus
from app.certificates.services import (
    CertificateError,
    CodesAhead,
    issue_certificates,
    pending_awards,
    print_certificates,
    unprinted_certificate_ids,
)
from app.common import utcnow
from app.credits.models import CreditAward
from app.extensions import db
from app.job_leases import MAX_RUNS, LeaseLostError, hold_lease, requeue_abandoned
from app.job_leases import claim_job as claim_lease
from app.jobs import huey, in_app_context, watch

# Two print runs a chunk, rendered at once (both cores); a chunk commits in seconds, well
# inside the lease, and a dead worker loses at most one chunk's work (redone, never doubled).
CHUNK = 2 * RUN_SIZE
_LOST_RACE = (IntegrityError, StaleDataError, OperationalError)


@huey.task()
def issue_pending_task(job_id: int) -> None:
    in_app_context(run_issue_job, job_id)


@huey.task()
def print_certificate_task(cert_id: int) -> None:
    """Render a certificate issued on its own (its credential is signed already)."""
    in_app_context(_print, [cert_id])


def _print(cert_ids: list[int]) -> None:
    try:
        print_certificates(cert_ids)
        db.session.commit()
    except DocumentError:
        db.session.rollback()  # the watcher queues it again
        current_app.logger.exception("Certificates %s could not be printed", cert_ids)


def _chunk_size() -> int:
    return current_app.config.get("JOB_CHUNK_SIZE", CHUNK)


def claim_job(job_id: int) -> str | None:
    """Take the job's lease if it is queued or its lease is stale; the new token, or None."""
    return claim_lease(CertificateJob, job_id)


def _hold_lease(job_id: int, token: str) -> CertificateJob:
    """Renew the lease in the current transaction (it commits with the chunk).

    :raises LeaseLostError: when another run holds the job now.
    """
    return hold_lease(CertificateJob, job_id, token)


def run_issue_job(job_id: int) -> None:
    """Issue the job's certificates, chunk by chunk; resume where a dead run stopped.

    A chunk that fails is retried in halves down to one award, so one bad award fails alone,
    with why, and the rest are still rendered many to a run.
    """
    token = claim_job(job_id)
    if token is None:
        return  # finished, or a live run holds it
    job = db.session.get(CertificateJob, job_id, populate_existing=True)
    if job.runs > MAX_RUNS:
        _finish(job, JobStatus.FAILED, _stopped_note())
        return
    try:
        if job.award_ids is None:
            ids = db.session.scalars(
                pending_awards(job.created_by, job.site_id).with_only_columns(CreditAward.id)
            )
            job.award_ids = list(ids)
            job.total = len(job.award_ids)
            db.session.commit()
        size = _chunk_size()
        chunks = [job.award_ids[i : i + size] for i in range(0, len(job.award_ids), size)]
        # While wkhtmltopdf renders a chunk (other processes), this thread makes the next
        # chunk's codes and QR codes: Python and rendering overlap instead of taking turns.
        ahead = CodesAhead()
        for chunk, following in pairwise([*chunks, []]):
            ahead.wanted = len(following)
            _issue_chunk(job_id, token, chunk, ahead)
        job = _hold_lease(job_id, token)
        _finish(job, JobStatus.DONE)
    except LeaseLostError:
        return
    except Exception as error:  # noqa: BLE001 - the job page must say it stopped, and why
        db.session.rollback()
        current_app.logger.exception("Certificate job %s failed", job_id)
        job = db.session.get(CertificateJob, job_id, populate_existing=True)
        if job.lease_token == token:
            _finish(job, JobStatus.FAILED, str(error))


def _stopped_note() -> str:
    """Kept in the job's failures in English and Spanish (the job page shows them as written)."""
    return (
        f"The worker stopped {MAX_RUNS} times before the job finished; what was issued is "
        f"kept. · El proceso se detuvo {MAX_RUNS} veces antes de terminar; lo emitido se conserva."
    )


def _finish(job: CertificateJob, status: JobStatus, reason: str | None = None) -> None:
    job.status = status
    if reason:
        job.failures = [*job.failures, {"award_id": None, "student": "", "reason": reason}]
    job.finished_at = utcnow()
    job.lease_token = None
    db.session.commit()


def _to_do(job: CertificateJob, ids: list[int]) -> list[int]:
    """The chunk's awards not certified yet (by this job's earlier runs or anyone) nor failed.

    An award someone else certified meanwhile (a coordinator's own issue, another job) is no
    longer this job's: it leaves the job's total.
    """
    failed = {f["award_id"] for f in job.failures}
    stmt = select(Certificate.credit_award_id, Certificate.print_id).where(
        Certificate.credit_award_id.in_(ids)
    )
    certified = dict(db.session.execute(stmt).all())
    ours = set(job.print_ids)
    job.total -= sum(1 for print_id in certified.values() if print_id not in ours)
    return [i for i in ids if i not in certified and i not in failed]


def _issue_chunk(job_id: int, token: str, ids: list[int], ahead: CodesAhead) -> None:
    job = _hold_lease(job_id, token)
    todo = _to_do(job, ids)
    if not todo:
        db.session.commit()
        return
    try:
        certs = issue_certificates(_load(todo), job.created_by, ahead)
    except (CertificateError, DocumentError, *_LOST_RACE):
        db.session.rollback()
        if len(todo) == 1:
            _issue_one(job_id, token, todo[0], ahead)
            return
        # In halves: the good awards still go in print runs, the bad one is found alone.
        half = len(todo) // 2
        _issue_chunk(job_id, token, todo[:half], ahead)
        _issue_chunk(job_id, token, todo[half:], ahead)
        return
    _record(job, certs)
    db.session.commit()


def _issue_one(job_id: int, token: str, award_id: int, ahead: CodesAhead, tries: int = 3) -> None:
    job = _hold_lease(job_id, token)
    if not _to_do(job, [award_id]):
        db.session.commit()
        return
    (award,) = _load([award_id])
    try:
        certs = issue_certificates([award], job.created_by, ahead)
    except _LOST_RACE:
        # Certified at the same moment by someone else (then it leaves the job), or the
        # database was busy: look again.
        db.session.rollback()
        if tries <= 1:
            raise
        _issue_one(job_id, token, award_id, ahead, tries - 1)
        return
    except (CertificateError, DocumentError) as error:
        db.session.rollback()
        job = _hold_lease(job_id, token)
        job.failed += 1
        name = award.enrollment.student.full_name
        job.failures = [
            *job.failures,
            {"award_id": award_id, "student": name, "reason": str(error)},
        ]
    else:
        _record(job, certs)
    db.session.commit()


def _record(job: CertificateJob, certs) -> None:
    job.issued += len(certs)
    job.print_ids = [*job.print_ids, *sorted({c.print_id for c in certs})]


def _load(ids: list[int]) -> list[CreditAward]:
    awards = {
        a.id: a for a in db.session.scalars(select(CreditAward).where(CreditAward.id.in_(ids)))
    }
    return [awards[i] for i in ids]


@watch
def requeue_abandoned_jobs(at_start: bool) -> list[int]:
    """Queue again every certificate job a dead worker left (see app/job_leases.py)."""
    requeued = requeue_abandoned(CertificateJob, issue_pending_task, at_start)
    if requeued:
        current_app.logger.warning("Certificate jobs queued again: %s", requeued)
    return requeued


@watch
def print_unprinted_certificates(at_start: bool) -> list[int]:
    """Queue again the PDF of every certificate still without one a while after its issue
    (the worker that had it died, or wkhtmltopdf failed)."""
    cutoff = None if at_start else utcnow() - timedelta(seconds=_lease_seconds())
    ids = unprinted_certificate_ids(cutoff)
    for cert_id in ids:
        print_certificate_task(cert_id)
    if ids:
        current_app.logger.warning("Certificate PDFs queued again: %s", ids)
    return ids


def _lease_seconds() -> int:
    return current_app.config.get("JOB_LEASE_SECONDS", 120)
