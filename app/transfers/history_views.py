"""Course history downloads (MSIX-style CSV): one student's, or every student in scope."""

import re
import unicodedata

from flask import Blueprint, Response, request, stream_with_context
from flask_login import current_user

from app.audit.services import record_event
from app.common import utcnow
from app.errors import render_error
from app.permissions import get_student_or_404, staff_required
from app.transfers.history import (
    HistoryError,
    course_history_rows,
    csv_text,
    history_counts,
    iter_course_history,
    parse_filters,
    student_enrollments,
)

bp = Blueprint("history", __name__, url_prefix="/history")

CSV_TYPE = "text/csv; charset=utf-8"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "student"


@bp.route("/students/<int:student_id>.csv")
@staff_required
def student(student_id: int):
    record = get_student_or_404(student_id)
    rows = course_history_rows(student_enrollments(record))
    record_event(current_user, "history.exported", record, student_id=record.id,
                 students=1, enrollments=len(rows))  # fmt: skip
    name = f"course-history-{_ascii(record.family_name)}-{_ascii(record.given_name)}.csv"
    return Response("".join(csv_text([rows])), content_type=CSV_TYPE, headers=_attachment(name))


@bp.route("/export.csv")
@staff_required
def export():
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
