"""Roster pages: upload a OneRoster set, see what it changed or every problem found."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.common import paginate
from app.extensions import db
from app.permissions import coordinator_required
from app.rosters.files import read_zip
from app.rosters.forms import RosterUploadForm
from app.rosters.models import RosterImport
from app.rosters.services import RosterError, import_roster
from app.users.models import Role

bp = Blueprint("rosters", __name__, url_prefix="/rosters")

SHOWN_PROBLEMS = 200


def _history():
    stmt = select(RosterImport).order_by(RosterImport.imported_at.desc(), RosterImport.id.desc())
    if current_user.role != Role.ADMIN:
        stmt = stmt.where(RosterImport.imported_by_id == current_user.id)
    return paginate(stmt)


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def index():
    form = RosterUploadForm()
    problems, status = [], 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            limit = current_app.config["ROSTER_MAX_BYTES"]
            unpacked_limit = current_app.config["ROSTER_MAX_UNPACKED_BYTES"]
            data = form.roster.data.read(limit + 1)
            if len(data) > limit:
                problems = [
                    _(
                        "The file is too large for the page (%(mb)s MB at most): import it "
                        "with the command flask rosters import.",
                        mb=limit // 1_000_000,
                    )
                ]
            else:
                try:
                    record = import_roster(read_zip(data, unpacked_limit), current_user,
                                           form.roster.data.filename or "roster.zip", data)  # fmt: skip
                except RosterError as error:
                    db.session.rollback()
                    problems = error.problems
                else:
                    flash(_("The roster was imported."), "success")
                    return redirect(url_for(".index", shown=record.id))
    shown = db.session.get(RosterImport, request.args.get("shown", 0, type=int))
    if shown is not None and shown.imported_by_id != current_user.id:
        shown = None
    return render_template(
        "rosters/index.html", form=form, problems=problems[:SHOWN_PROBLEMS],
        problem_count=len(problems), pagination=_history(), shown=shown,
    ), status  # fmt: skip
