"""Report pages and their CSVs: coordinators (their site or state) and admins (everywhere)."""

import csv
import io

from flask import Blueprint, Response, g, render_template, request
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.common import utcnow
from app.courses.models import Course
from app.csv_cells import safe_row
from app.extensions import db
from app.permissions import coordinator_required, visible_sites
from app.reports import tasks  # noqa: F401  (the worker's watcher that keeps the facts fresh)
from app.reports.attention import attention_report
from app.reports.facts import last_refresh
from app.reports.filters import read_filters
from app.reports.program import program_report
from app.reports.progress import progress_report
from app.reports.tables import attention_tables, csv_value, program_tables, progress_tables
from app.reports.terms import recent_terms

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _progress(f):
    return _("Progress"), progress_tables(progress_report(current_user, f), f.period)


def _attention(f):
    data = attention_report(current_user, f)
    return _("Needs attention"), attention_tables(data, f.days, getattr(g, "locale", "en"))


def _program(f):
    return _("Program counts"), program_tables(program_report(current_user, f))


REPORTS = {"progress": _progress, "attention": _attention, "program": _program}


def _choices() -> dict:
    sites = visible_sites(current_user)
    return {
        "sites": sites,
        "states": sorted({site.state_code for site in sites}),
        "courses": db.session.scalars(select(Course).order_by(Course.code)).all(),
        "terms": recent_terms(utcnow().date()),
    }


@bp.route("/")
@coordinator_required
def index():
    return render_template("reports/index.html")


def _page(name: str):
    f = read_filters(current_user, request.args)
    title, tables = REPORTS[name](f)
    return render_template(
        "reports/report.html",
        name=name,
        title=title,
        tables=tables,
        f=f,
        now_text=format_datetime(utcnow(), "medium"),
        refresh=last_refresh() if name in ("progress", "attention") else None,
        **_choices(),
    )


def _csv(name: str):
    f = read_filters(current_user, request.args)
    title, tables = REPORTS[name](f)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row([title]))
    writer.writerow(safe_row([f"{k}={v}" for k, v in f.query_args().items()]))
    for table in tables:
        writer.writerow([])
        writer.writerow(safe_row([table.title]))
        writer.writerow(safe_row(table.headers))
        for row in table.rows:
            writer.writerow(safe_row(csv_value(cell) for cell in row))
        if table.note:
            writer.writerow(safe_row([table.note]))
    filename = f"puente-{name}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/progress")
@coordinator_required
def progress():
    return _page("progress")


@bp.route("/progress.csv")
@coordinator_required
def progress_csv():
    return _csv("progress")


@bp.route("/attention")
@coordinator_required
def attention():
    return _page("attention")


@bp.route("/attention.csv")
@coordinator_required
def attention_csv():
    return _csv("attention")


@bp.route("/program")
@coordinator_required
def program():
    return _page("program")


@bp.route("/program.csv")
@coordinator_required
def program_csv():
    return _csv("program")
