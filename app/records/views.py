"""Record documents: the Binational Transfer Document and the MSIX-style course-history CSV
(one student at once; a whole scope through an export job)."""

import re
import unicodedata
from base64 import b64encode

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.audit.services import record_event
from app.errors import render_error
from app.extensions import db
from app.job_leases import JobStatus
from app.permissions import get_student_or_404, staff_required
from app.records.exports import (
    can_download_export,
    describe_filters,
    export_history_task,
    export_path,
    read_export,
    record_download,
    start_history_export,
)
from app.records.forms import ExportForm
from app.records.history import (
    HistoryError,
    course_history_rows,
    csv_text,
    student_enrollments,
)
from app.records.models import ExportJob
from app.records.transfer_document import issue_transfer_document

bp = Blueprint("records", __name__, url_prefix="/records")

CSV_TYPE = "text/csv; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "student"


@bp.route("/students/<int:student_id>/course-history.csv")
@staff_required
def course_history(student_id: int):
    record = get_student_or_404(student_id)
    rows = course_history_rows(student_enrollments(record))
    record_event(
        current_user,
        "history.exported",
        record,
        student_id=record.id,
        students=1,
        enrollments=len(rows),
    )
    name = f"course-history-{_ascii(record.family_name)}-{_ascii(record.given_name)}.csv"
    return Response("".join(csv_text([rows])), content_type=CSV_TYPE, headers=_attachment(name))


@bp.route("/exports", methods=["POST"])
@staff_required
def start_export():
    if not ExportForm().validate_on_submit():
        abort(400)
    try:
        job = start_history_export(current_user, request.form)
    except HistoryError as error:
        return render_error(400, str(error))
    # Committed before queueing: the worker reads the job from the database.
    db.session.commit()
    export_history_task(job.id)
    return redirect(url_for(".export_job", export_id=job.id))


def _own_export(export_id: int) -> ExportJob:
    job = db.session.get(ExportJob, export_id) or abort(404)
    if not can_download_export(current_user, job):
        abort(403)
    return job


@bp.route("/exports/<int:export_id>")
@staff_required
def export_job(export_id: int):
    job = _own_export(export_id)
    return render_template("records/export_job.html", job=job, filters=describe_filters(job))


@bp.route("/exports/<int:export_id>.json")
@staff_required
def export_progress(export_id: int):
    job = _own_export(export_id)
    return jsonify(
        status=job.status.value,
        total=job.total,
        done=job.done,
        rows=job.rows,
        finished=job.finished_at is not None,
    )


@bp.route("/exports/<int:export_id>/course-history.csv")
@staff_required
def export_download(export_id: int):
    job = _own_export(export_id)
    path = export_path(job)
    if job.status != JobStatus.DONE or not path.is_file():
        abort(404)
    record_download(current_user, job)
    name = f"course-history-{job.created_at.date().isoformat()}-{job.id}.csv"
    headers = {
        **_attachment(name),
        "Cache-Control": "no-store",
        "Content-Length": str(path.stat().st_size),
    }
    response = Response(read_export(path), content_type=CSV_TYPE, headers=headers)
    response.headers["Repr-Digest"] = f"sha-256=:{b64encode(bytes.fromhex(job.sha256)).decode()}:"
    return response


@bp.route("/students/<int:student_id>/transfer-document.pdf")
@staff_required
def transfer_document(student_id: int):
    student = get_student_or_404(student_id)
    pdf = issue_transfer_document(student, current_user)
    name = f"transfer-document-{student.msix_id or student.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers=_attachment(name))
