"""Record documents: the Binational Transfer Document and the MSIX-style course-history CSV."""

import re
import unicodedata

from flask import Blueprint, Response, request, stream_with_context
from flask_login import current_user

from app.audit.services import record_event
from app.common import utcnow
from app.errors import render_error
from app.permissions import get_student_or_404, staff_required
from app.records.history import (
    HistoryError,
    course_history_rows,
    csv_text,
    history_counts,
    iter_course_history,
    parse_filters,
    student_enrollments,
)
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
    record_event(current_user, "history.exported", record, student_id=record.id,
                 students=1, enrollments=len(rows))  # fmt: skip
    name = f"course-history-{_ascii(record.family_name)}-{_ascii(record.given_name)}.csv"
    return Response("".join(csv_text([rows])), content_type=CSV_TYPE, headers=_attachment(name))


@bp.route("/course-history.csv")
@staff_required
def course_history_export():
    try:
        filters = parse_filters(request.args)
    except HistoryError as error:
        return render_error(400, str(error))
    students, enrollments = history_counts(current_user, request.args)
    args = request.args.to_dict()
    user = current_user._get_current_object()
    record_event(user, "history.exported", user, students=students,
                 enrollments=enrollments, filters=args, status=filters["status"])  # fmt: skip
    # The audit event is committed when the view returns; the rows follow as they are read.
    body = csv_text(iter_course_history(user, args))
    name = f"course-history-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(body), content_type=CSV_TYPE, headers=_attachment(name))


@bp.route("/students/<int:student_id>/transfer-document.pdf")
@staff_required
def transfer_document(student_id: int):
    student = get_student_or_404(student_id)
    pdf = issue_transfer_document(student, current_user)
    name = f"transfer-document-{student.msix_id or student.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers=_attachment(name))
