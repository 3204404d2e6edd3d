"""Printing packets: one student's now, or a batch for many as a job with progress."""

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.common import paginate, to_int
from app.courses.models import Course
from app.enrollments.models import UnitProgress
from app.extensions import db
from app.job_leases import JobStatus
from app.packets.forms import BatchForm
from app.packets.models import PacketJob
from app.packets.services import (
    batch_candidates,
    next_tries,
    packet_job_task,
    packet_path,
    page_size_of,
    print_packet,
    start_packet_job,
)
from app.permissions import can_manage_student, can_open_job, staff_required

bp = Blueprint("packets", __name__, url_prefix="/packets")


def _pdf(data: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(data, mimetype="application/pdf", headers=headers)


@bp.route("/units/<int:unit_progress_id>.pdf")
@staff_required
def unit_packet(unit_progress_id: int):
    progress = db.session.get(UnitProgress, unit_progress_id) or abort(404)
    if not can_manage_student(current_user, progress.enrollment.student):
        abort(403)
    pdf = print_packet(progress, current_user, page_size_of(request.args.get("size")))
    code = progress.enrollment.course_version.code
    return _pdf(
        pdf, f"packet-{code}-unit-{progress.unit_number}-{progress.enrollment.student_id}.pdf"
    )


@bp.route("/")
@staff_required
def index():
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    course_id, unit = to_int(request.args.get("course")), to_int(request.args.get("unit")) or 1
    pagination = tries = None
    if course_id:
        pagination = paginate(batch_candidates(current_user, course_id, unit), per_page=100)
        tries = next_tries(pagination.items)
    return render_template(
        "packets/index.html",
        courses=courses,
        course_id=course_id,
        unit=unit,
        pagination=pagination,
        tries=tries,
        form=BatchForm(),
    )


@bp.route("/jobs", methods=["POST"])
@staff_required
def start_batch():
    if not BatchForm().validate_on_submit():
        abort(400)
    ids = [to_int(value) for value in request.form.getlist("progress")]
    if None in ids:
        abort(400)
    job = start_packet_job(current_user, ids, page_size_of(request.form.get("size")))
    db.session.commit()  # the worker reads the job from the database
    packet_job_task(job.id)
    return redirect(url_for(".job", packet_job_id=job.id))


def _own_job(packet_job_id: int) -> PacketJob:
    job = db.session.get(PacketJob, packet_job_id) or abort(404)
    if not can_open_job(current_user, job):
        abort(403)
    return job


@bp.route("/jobs/<int:packet_job_id>")
@staff_required
def job(packet_job_id: int):
    return render_template("packets/job.html", job=_own_job(packet_job_id))


@bp.route("/jobs/<int:packet_job_id>.json")
@staff_required
def job_progress(packet_job_id: int):
    job = _own_job(packet_job_id)
    return jsonify(
        status=job.status.value,
        total=job.total,
        done=job.done,
        finished=job.finished_at is not None,
    )


@bp.route("/jobs/<int:packet_job_id>/packets.pdf")
@staff_required
def job_pdf(packet_job_id: int):
    job = _own_job(packet_job_id)
    path = packet_path(job)
    if job.status != JobStatus.DONE or not path.is_file():
        abort(404)
    return _pdf(path.read_bytes(), f"packets-{job.created_at.date().isoformat()}-{job.id}.pdf")
