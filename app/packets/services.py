"""Packets: which test try an answer sheet is for, one student's packet, batches as jobs.

A batch fixes each student's answer-sheet try when it starts; the job renders the packets one
by one, renewing its lease and counting progress after each, and renames the merged PDF to
`<job id>.pdf` only when every packet is in it (a partial file is never offered).
"""

import hashlib
import io
import os
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import CourseVersion, Section, Unit
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.errors import DomainError
from app.extensions import db
from app.grading.services import test_try_limit
from app.job_leases import (
    MAX_RUNS,
    JobStatus,
    LeaseLostError,
    claim_job,
    hold_lease,
    requeue_abandoned,
)
from app.jobs import huey, in_app_context, watch
from app.learning.models import Attempt
from app.packets.documents import PAGE_SIZES, packet_pdf
from app.packets.models import PacketJob
from app.pdf import pdf_configuration
from app.permissions import can_manage_student, student_scope
from app.students.models import Student
from app.users.models import User
from config import INSTANCE_DIR

MAX_BATCH = 200  # packets in one batch (a class, a camp): more is several batches


class PacketError(DomainError):
    """A packet cannot be printed; the (translated) message says for whom and why."""

    status = 400


def page_size_of(value: str | None) -> str:
    """`letter` or `a4` (Letter when not given).

    :raises PacketError: for any other page size.
    """
    size = (value or "letter").strip().lower()
    if size not in PAGE_SIZES:
        raise PacketError(_("Choose the page size Letter or A4."))
    return size


def next_tries(progresses: list[UnitProgress]) -> dict[int, int]:
    """{unit progress id: the unit-test try a new answer sheet is for}, in one query."""
    recorded = dict(
        db.session.execute(
            select(Attempt.unit_progress_id, func.max(Attempt.number))
            .where(
                Attempt.unit_progress_id.in_([p.id for p in progresses]),
                Attempt.section == Section.TEST,
            )
            .group_by(Attempt.unit_progress_id)
        ).all()
    )
    return {p.id: (recorded.get(p.id) or 0) + 1 for p in progresses}


def check_try_left(progress: UnitProgress, number: int) -> None:
    """:raises PacketError: when the student has no unit-test try left for an answer sheet."""
    if number > test_try_limit(progress):
        raise PacketError(
            _(
                "%(name)s has no unit-test try left in unit %(n)s, so no answer sheet can be "
                "printed.",
                name=progress.enrollment.student.full_name,
                n=progress.unit_number,
            )
        )


def print_packet(progress: UnitProgress, user: User, page_size: str) -> bytes:
    """One student's packet now, its answer sheet for the next test try; audited.

    :raises PacketError: when the student was withdrawn or no test try is left.
    """
    if progress.enrollment.status == EnrollmentStatus.WITHDRAWN:
        raise PacketError(_("The student was withdrawn from this course."))
    number = next_tries([progress])[progress.id]
    check_try_left(progress, number)
    pdf = packet_pdf(progress, number, page_size)
    record_event(
        user,
        "packets.printed",
        progress,
        student_id=progress.enrollment.student_id,
        unit=progress.unit_number,
        test_try=number,
        page_size=page_size,
    )
    return pdf


def batch_candidates(user: User, course_id: int, unit_number: int):
    """A select of the unit progresses `user` may print: active enrollments of the course in
    their scope, this unit, by student name."""
    return (
        select(UnitProgress)
        .join(Enrollment, UnitProgress.enrollment_id == Enrollment.id)
        .join(Student, Enrollment.student_id == Student.id)
        .join(Unit, UnitProgress.unit_id == Unit.id)
        .where(
            student_scope(user),
            Enrollment.status == EnrollmentStatus.ACTIVE,
            UnitProgress.unit_number == unit_number,
            Unit.course_version_id.in_(_course_versions(course_id)),
        )
        .options(selectinload(UnitProgress.enrollment).selectinload(Enrollment.student))
        .order_by(Student.family_name, Student.given_name, Student.id)
    )


def _course_versions(course_id: int):
    return select(CourseVersion.id).where(CourseVersion.course_id == course_id)


def start_packet_job(user: User, progress_ids: list[int], page_size: str) -> PacketJob:
    """A queued batch of packets (the caller commits, then queues `packet_job_task`).

    :raises PacketError: when nothing is chosen, too much is, a unit is not the user's to
        print, or a student has no test try left (nothing is started then).
    """
    ids = list(dict.fromkeys(progress_ids))
    if not ids:
        raise PacketError(_("Choose at least one student."))
    if len(ids) > MAX_BATCH:
        raise PacketError(_("At most %(n)s packets at once.", n=MAX_BATCH))
    progresses = {
        p.id: p
        for p in db.session.scalars(
            select(UnitProgress)
            .where(UnitProgress.id.in_(ids))
            .options(selectinload(UnitProgress.enrollment).selectinload(Enrollment.student))
        )
    }
    if len(progresses) != len(ids) or not all(
        can_manage_student(user, p.enrollment.student) for p in progresses.values()
    ):
        raise PacketError(_("A chosen student is not one of yours."), status=403)
    tries = next_tries(list(progresses.values()))
    for progress_id in ids:
        check_try_left(progresses[progress_id], tries[progress_id])
    job = PacketJob(
        created_by_id=user.id,
        sheets=[[progress_id, tries[progress_id]] for progress_id in ids],
        page_size=page_size,
        total=len(ids),
    )
    db.session.add(job)
    db.session.flush()
    record_event(
        user, "packets.batch_started", job, packets=len(ids), page_size=page_size, sheets=job.sheets
    )
    return job


@huey.task()
def packet_job_task(job_id: int) -> None:
    in_app_context(run_packet_job, job_id)


def packets_dir() -> Path:
    return Path(current_app.config.get("PACKETS_DIR") or INSTANCE_DIR / "packets")


def packet_path(job: PacketJob) -> Path:
    return packets_dir() / f"{job.id}.pdf"


def run_packet_job(job_id: int) -> None:
    """Make the job's PDF from the beginning; a run that lost its lease stops quietly."""
    token = claim_job(PacketJob, job_id)
    if token is None:
        return
    job = db.session.get(PacketJob, job_id, populate_existing=True)
    if job.runs > MAX_RUNS:
        _finish(job, JobStatus.FAILED, _stopped_note())
        return
    part = packets_dir() / f"{job_id}.{token}.part"
    try:
        _write_packets(job_id, token, part)
    except LeaseLostError:
        return
    except Exception as error:  # noqa: BLE001 - the job page must say it stopped, and why
        db.session.rollback()
        current_app.logger.exception("Packet job %s failed", job_id)
        job = db.session.get(PacketJob, job_id, populate_existing=True)
        if job.lease_token == token:
            _finish(job, JobStatus.FAILED, str(error)[:500])
    finally:
        part.unlink(missing_ok=True)


def _write_packets(job_id: int, token: str, part: Path) -> None:
    job = hold_lease(PacketJob, job_id, token)
    job.done = 0
    db.session.commit()
    sheets, page_size = [tuple(sheet) for sheet in job.sheets], job.page_size
    configuration = pdf_configuration()
    writer = PdfWriter()
    for done, (progress_id, number) in enumerate(sheets, start=1):
        progress = db.session.get(UnitProgress, progress_id)
        for page in PdfReader(
            io.BytesIO(packet_pdf(progress, number, page_size, configuration))
        ).pages:
            writer.add_page(page)
        job = hold_lease(PacketJob, job_id, token)
        job.done = done
        db.session.commit()
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open("xb") as out:
        writer.write(out)
        out.flush()
        os.fsync(out.fileno())
    job = hold_lease(PacketJob, job_id, token)
    os.replace(part, packet_path(job))
    job.pages = len(writer.pages)
    job.sha256 = hashlib.sha256(packet_path(job).read_bytes()).hexdigest()
    record_event(job.created_by, "packets.batch_printed", job, packets=len(sheets), pages=job.pages)
    _finish(job, JobStatus.DONE)


def _stopped_note() -> str:
    """Kept on the job in English and Spanish (the job page shows it as written)."""
    return (
        f"The worker stopped {MAX_RUNS} times before the packets were made; no file was made. · "
        f"El proceso se detuvo {MAX_RUNS} veces antes de terminar los paquetes; no se creó "
        f"ningún archivo."
    )


def _finish(job: PacketJob, status: JobStatus, error: str | None = None) -> None:
    job.status = status
    job.error = error
    job.finished_at = utcnow()
    job.lease_token = None
    db.session.commit()


@watch
def requeue_abandoned_packets(at_start: bool) -> list[int]:
    """Queue again every packet job a dead worker left (see app/job_leases.py)."""
    return requeue_abandoned(PacketJob, packet_job_task, at_start)
