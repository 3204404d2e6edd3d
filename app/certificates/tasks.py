"""Background bulk issuance: every pending certificate in a coordinator's scope, in chunks."""

from sqlalchemy import select

from app.certificates.documents import DocumentError
from app.certificates.models import CertificateJob, JobStatus
from app.certificates.services import CertificateError, issue_certificates, pending_awards
from app.common import utcnow
from app.credits.models import CreditAward
from app.extensions import db
from app.jobs import huey, in_app_context

CHUNK = 500


@huey.task()
def issue_pending_task(job_id: int) -> None:
    in_app_context(run_issue_job, job_id)


def run_issue_job(job_id: int) -> None:
    """Issue every pending certificate of the job's scope; record progress after each chunk.

    A chunk that fails is retried one award at a time, so one bad award fails alone, with why.
    """
    job = db.session.get(CertificateJob, job_id)
    job.status = JobStatus.RUNNING
    user, site_id = job.created_by, job.site_id
    ids = list(db.session.scalars(pending_awards(user, site_id).with_only_columns(CreditAward.id)))
    job.total = len(ids)
    db.session.commit()
    try:
        for start in range(0, len(ids), CHUNK):
            _issue_chunk(job, ids[start : start + CHUNK])
        job.status = JobStatus.DONE
    except Exception as error:  # noqa: BLE001 - the job page must say it stopped, and why
        db.session.rollback()
        job = db.session.get(CertificateJob, job_id)
        job.status = JobStatus.FAILED
        job.failures = [*job.failures, {"award_id": None, "student": "", "reason": str(error)}]
    job.finished_at = utcnow()
    db.session.commit()


def _issue_chunk(job: CertificateJob, ids: list[int]) -> None:
    awards = _load(ids)
    try:
        certs = issue_certificates(awards, job.created_by)
    except (CertificateError, DocumentError):
        db.session.rollback()
        for award_id in ids:
            _issue_one(job, award_id)
        return
    _record(job, certs)
    db.session.commit()


def _issue_one(job: CertificateJob, award_id: int) -> None:
    (award,) = _load([award_id])
    try:
        certs = issue_certificates([award], job.created_by)
    except (CertificateError, DocumentError) as error:
        db.session.rollback()
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
