"""A roster uploaded through the page, imported by the job worker: reading, checking, writing."""

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.common import utcnow
from app.extensions import db
from app.jobs import huey, in_app_context
from app.rosters.files import read_zip
from app.rosters.models import RosterJob
from app.rosters.services import RosterError, import_roster
from config import INSTANCE_DIR

SHOWN_PROBLEMS = 200


def uploads_dir() -> Path:
    """Where an upload waits for the worker: ROSTER_UPLOADS_DIR (with several machines, a
    folder web nodes and workers share), else the instance folder's roster-jobs/."""
    return Path(current_app.config.get("ROSTER_UPLOADS_DIR") or INSTANCE_DIR / "roster-jobs")


def upload_path(job_id: int) -> Path:
    return uploads_dir() / f"{job_id}.zip"


def queue_roster_job(data: bytes, file_name: str, state_code: str, by) -> RosterJob:
    """Keep the upload where the worker reads it and queue its import (after the commit)."""
    job = RosterJob(created_by_id=by.id, file_name=file_name[:200], state_code=state_code)
    db.session.add(job)
    db.session.flush()
    uploads_dir().mkdir(parents=True, exist_ok=True)
    upload_path(job.id).write_bytes(data)
    return job


@huey.task()
def import_roster_task(job_id: int) -> None:
    in_app_context(run_roster_job, job_id)


def _set_phase(job_id: int, phase: str) -> None:
    job = db.session.get(RosterJob, job_id)
    job.status, job.phase = "running", phase
    db.session.commit()


def run_roster_job(job_id: int) -> None:
    """Import the job's upload. The checks write nothing, so the job's phase is committed between
    checking and writing; the writing is one transaction (all or nothing)."""
    path = upload_path(job_id)
    _set_phase(job_id, "reading")
    try:
        data = path.read_bytes()
        files = read_zip(data, current_app.config["ROSTER_MAX_UNPACKED_BYTES"])
        _set_phase(job_id, "checking")
        job = db.session.get(RosterJob, job_id)
        record = import_roster(
            files,
            job.created_by,
            job.file_name,
            data,
            job.state_code,
            progress=lambda phase: _set_phase(job_id, phase),
        )
    except RosterError as error:
        db.session.rollback()
        job = db.session.get(RosterJob, job_id)
        job.status, job.problem_count = "failed", len(error.problems)
        job.problems = [
            [p.file, p.line, p.field, p.message] for p in error.problems[:SHOWN_PROBLEMS]
        ]
    except Exception as error:  # noqa: BLE001 - the job page must say it stopped, and why
        db.session.rollback()
        job = db.session.get(RosterJob, job_id)
        job.status, job.problem_count = "failed", 1
        job.problems = [["", None, None, str(error)]]
    else:
        job.status, job.import_id = "done", record.id
    job.phase, job.finished_at = "done", utcnow()
    db.session.commit()
    path.unlink(missing_ok=True)


def latest_job(user) -> RosterJob | None:
    return db.session.scalar(
        select(RosterJob)
        .where(RosterJob.created_by_id == user.id)
        .order_by(RosterJob.id.desc())
        .limit(1)
    )
