"""Course-history exports of a whole scope as background jobs (the request only queues them).

The job writes the CSV in batches to a temporary file under the instance folder, renewing its
lease after each batch, and renames it to `<job id>.csv` only when every row is written, with
the row count and SHA-256 on the job row: a partial file is never offered. A run whose worker
died is claimed again (app/job_leases.py) and writes a new file from the beginning.
"""

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.audit.services import record_event
from app.common import to_int, utcnow
from app.courses.models import Course
from app.extensions import db
from app.job_leases import (
    MAX_RUNS,
    JobStatus,
    LeaseLostError,
    claim_job,
    hold_lease,
    requeue_abandoned,
)
from app.jobs import huey, in_app_context, watch
from app.labels import status_label
from app.permissions import site_scope
from app.records.history import (
    BATCH_SIZE,
    HistoryError,
    csv_text,
    history_counts,
    iter_course_history,
    parse_filters,
)
from app.records.models import ExportJob
from app.sites.models import Site
from app.users.models import Role, User
from config import INSTANCE_DIR

# The Students list's filters an export keeps (read by filter_students and parse_filters).
FILTER_KEYS = ("q", "site", "kind", "course", "awaiting", "status")
MAX_FILTER_LENGTH = 200


@huey.task()
def export_history_task(job_id: int) -> None:
    in_app_context(run_export_job, job_id)


def exports_dir() -> Path:
    """Where finished exports are kept: EXPORTS_DIR, else the instance folder's exports/."""
    return Path(current_app.config.get("EXPORTS_DIR") or INSTANCE_DIR / "exports")


def export_path(job: ExportJob) -> Path:
    return exports_dir() / f"{job.id}.csv"


def export_filters(args) -> dict[str, str]:
    """The export's filters from the list's `args`, only the known ones, trimmed.

    :raises HistoryError: when a filter is not valid (the message says which and why).
    """
    parse_filters(args)
    filters = {key: (args.get(key) or "").strip() for key in FILTER_KEYS}
    if any(len(value) > MAX_FILTER_LENGTH for value in filters.values()):
        raise HistoryError(
            _("A filter is longer than %(limit)s characters.", limit=MAX_FILTER_LENGTH)
        )
    return {key: value for key, value in filters.items() if value}


def start_history_export(user: User, args) -> ExportJob:
    """A queued export of `user`'s scope with the list's filters (the caller commits, then
    queues `export_history_task`).

    :raises HistoryError: when a filter is not valid.
    """
    job = ExportJob(created_by_id=user.id, filters=export_filters(args))
    db.session.add(job)
    db.session.flush()
    record_event(user, "history.export_started", job, filters=job.filters)
    return job


def describe_filters(job: ExportJob) -> list[tuple[str, str]]:
    """(label, value) of each filter, in the user's language, sites (of the starter's scope)
    and courses by name."""
    filters = job.filters
    site = db.session.scalar(
        select(Site).where(
            Site.id == (to_int(filters.get("site")) or 0), site_scope(job.created_by)
        )
    )
    course = db.session.get(Course, to_int(filters.get("course")) or 0)
    values = {
        "q": filters.get("q"),
        "site": site.name if site else filters.get("site"),
        "kind": filters.get("kind") and status_label(filters["kind"]),
        "course": course.code if course else filters.get("course"),
        "awaiting": filters.get("awaiting") and _("yes"),
        "status": filters.get("status") and status_label(filters["status"]),
    }
    labels = {
        "q": _("Search"),
        "site": _("Site"),
        "kind": _("Kind"),
        "course": _("Course"),
        "awaiting": _("Work awaiting grading"),
        "status": _("Status"),
    }
    return [(labels[key], value) for key, value in values.items() if value]


def can_download_export(user: User, job: ExportJob) -> bool:
    """Only the person who started an export, and admins, may see it."""
    return job.created_by_id == user.id or user.role == Role.ADMIN


def record_download(user: User, job: ExportJob) -> None:
    record_event(user, "history.export_downloaded", job, rows=job.rows, sha256=job.sha256)


def read_export(path: Path, size: int = 64 * 1024) -> Iterator[bytes]:
    """The file in pieces; opened only when the response is read, closed with it."""
    with path.open("rb") as handle:
        while piece := handle.read(size):
            yield piece


def run_export_job(job_id: int) -> None:
    """Write the job's file from the beginning; a run that lost its lease stops quietly."""
    token = claim_job(ExportJob, job_id)
    if token is None:
        return  # finished, or a live run holds it
    job = db.session.get(ExportJob, job_id, populate_existing=True)
    if job.runs > MAX_RUNS:
        _fail(job, _stopped_note())
        return
    part = exports_dir() / f"{job_id}.{token}.part"
    try:
        _write_export(job_id, token, part)
    except LeaseLostError:
        return
    except Exception as error:  # noqa: BLE001 - the job page must say it stopped, and why
        db.session.rollback()
        current_app.logger.exception("Export job %s failed", job_id)
        job = db.session.get(ExportJob, job_id, populate_existing=True)
        if job.lease_token == token:
            _fail(job, str(error)[:500])
    finally:
        part.unlink(missing_ok=True)


class _Tally:
    """Counts the rows and students of the batches that pass through it."""

    def __init__(self):
        self.rows, self.students, self._last = 0, 0, None

    def count(self, batches: Iterable[list[list[str]]]) -> Iterator[list[list[str]]]:
        for rows in batches:
            self.rows += len(rows)
            for row in rows:
                if row[0] != self._last:
                    self.students, self._last = self.students + 1, row[0]
            yield rows


def _write_export(job_id: int, token: str, part: Path) -> None:
    job = hold_lease(ExportJob, job_id, token)
    user, filters = job.created_by, dict(job.filters)
    job.total, job.done = history_counts(user, filters)[0], 0
    db.session.commit()
    part.parent.mkdir(parents=True, exist_ok=True)
    for stale in part.parent.glob(f"{job_id}.*.part"):  # left by a run whose worker died
        stale.unlink(missing_ok=True)
    size = current_app.config.get("EXPORT_BATCH_SIZE", BATCH_SIZE)
    tally, digest = _Tally(), hashlib.sha256()
    with part.open("xb") as out:
        for text in csv_text(tally.count(iter_course_history(user, filters, size))):
            data = text.encode("utf-8")
            out.write(data)
            digest.update(data)
            job = hold_lease(ExportJob, job_id, token)
            job.done = tally.students
            db.session.commit()
        out.flush()
        os.fsync(out.fileno())
    job = hold_lease(ExportJob, job_id, token)
    os.replace(part, export_path(job))
    # Rows added or removed meanwhile change the count: the total is what the file holds.
    job.total = job.done = tally.students
    job.rows, job.sha256 = tally.rows, digest.hexdigest()
    record_event(
        job.created_by,
        "history.exported",
        job,
        students=tally.students,
        enrollments=tally.rows,
        filters=filters,
        status=filters.get("status"),
        sha256=job.sha256,
    )
    _finish(job, JobStatus.DONE)


def _stopped_note() -> str:
    """Kept on the job in English and Spanish (the job page shows it as written)."""
    return (
        f"The worker stopped {MAX_RUNS} times before the export finished; no file was made. · "
        f"El proceso se detuvo {MAX_RUNS} veces antes de terminar la exportación; no se creó "
        f"ningún archivo."
    )


def _fail(job: ExportJob, reason: str) -> None:
    job.error = reason
    _finish(job, JobStatus.FAILED)


def _finish(job: ExportJob, status: JobStatus) -> None:
    job.status = status
    job.finished_at = utcnow()
    job.lease_token = None
    db.session.commit()


@watch
def requeue_abandoned_exports(at_start: bool) -> list[int]:
    """Queue again every export job a dead worker left (see app/job_leases.py)."""
    requeued = requeue_abandoned(ExportJob, export_history_task, at_start)
    if requeued:
        current_app.logger.warning("Export jobs queued again: %s", requeued)
    return requeued
