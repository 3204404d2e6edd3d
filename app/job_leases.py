"""Leases of background jobs that must finish: claim a job, hold its lease chunk by chunk, and
queue again what a dead worker left. Certificate and export jobs share this.

A job model using it has the columns `status` (JobStatus), `finished_at`, `lease_token`,
`heartbeat_at` and `runs`.
"""

import enum
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app.common import utcnow
from app.extensions import db

MAX_RUNS = 3  # a job whose worker died this many times is stopped


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class LeaseLostError(Exception):
    """Another run claimed the job (this one was taken for dead); this run stops."""


def lease_seconds() -> int:
    return current_app.config.get("JOB_LEASE_SECONDS", 120)


def claim_job(model, job_id: int) -> str | None:
    """Take the job's lease if it is queued or its lease is stale; the new token, or None."""
    token = secrets.token_hex(8)
    now = utcnow()
    claimed = db.session.execute(
        update(model)
        .where(
            model.id == job_id,
            model.finished_at.is_(None),
            or_(
                model.status == JobStatus.QUEUED,
                model.heartbeat_at.is_(None),
                model.heartbeat_at < now - timedelta(seconds=lease_seconds()),
            ),
        )
        .values(status=JobStatus.RUNNING, lease_token=token, heartbeat_at=now, runs=model.runs + 1)
    ).rowcount
    db.session.commit()
    return token if claimed == 1 else None


def hold_lease(model, job_id: int, token: str):
    """Renew the lease in the current transaction (it commits with the chunk); the job row.

    :raises LeaseLostError: when another run holds the job now.
    """
    renewed = db.session.execute(
        update(model)
        .where(model.id == job_id, model.lease_token == token)
        .values(heartbeat_at=utcnow())
    ).rowcount
    if renewed != 1:
        db.session.rollback()
        raise LeaseLostError(job_id)
    return db.session.get(model, job_id, populate_existing=True)


def requeue_abandoned(model, task: Callable[[int], object], at_start: bool) -> list[int]:
    """Queue `task(job id)` again for every job of `model` a dead worker left: a stale lease;
    at a worker's start, also every job still queued (its task may have been lost with the
    queue's last worker)."""
    stale = utcnow() - timedelta(seconds=lease_seconds())
    abandoned = (model.status == JobStatus.RUNNING) & (model.heartbeat_at < stale)
    if at_start:
        abandoned = abandoned | (model.status == JobStatus.QUEUED)
    ids = list(db.session.scalars(select(model.id).where(model.finished_at.is_(None), abandoned)))
    requeued = []
    for job_id in ids:
        # Marked queued first, so the next watch does not queue it again before it runs.
        moved = db.session.execute(
            update(model)
            .where(model.id == job_id, model.finished_at.is_(None))
            .values(status=JobStatus.QUEUED, lease_token=None)
        ).rowcount
        db.session.commit()
        if moved:
            task(job_id)
            requeued.append(job_id)
    return requeued
