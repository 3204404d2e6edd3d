"""Roster pages: upload a OneRoster set (every problem found, or what it changed), export one,
and the course map."""

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from app.common import paginate
from app.errors import on_refusal
from app.extensions import db
from app.permissions import (
    admin_required,
    can_manage_site,
    can_map_courses,
    can_open_job,
    coordinator_required,
    started_by_scope,
)
from app.rosters.course_map import (
    CourseMapError,
    course_map,
    map_roster_course,
    unmap_roster_course,
)
from app.rosters.export import export_oneroster
from app.rosters.files import read_zip
from app.rosters.forms import CourseMapForm, RosterExportForm, RosterUploadForm
from app.rosters.models import RosterCourseMap, RosterImport, RosterJob
from app.rosters.services import import_roster
from app.rosters.tasks import import_roster_task, queue_roster_job
from app.sites.models import Site

bp = Blueprint("rosters", __name__, url_prefix="/rosters")

SHOWN_PROBLEMS = 200


def _history():
    stmt = select(RosterImport).order_by(RosterImport.imported_at.desc(), RosterImport.id.desc())
    stmt = stmt.where(started_by_scope(current_user, RosterImport.imported_by_id))
    return paginate(stmt)


@bp.route("/", methods=["GET", "POST"])
@coordinator_required
def index():
    form = RosterUploadForm()
    on_refusal(lambda error: _index_page(form, error.problems))
    if request.method != "POST":
        return _index_page(form, [])
    if not form.validate_on_submit():
        return _index_page(form, []), 400
    limit = current_app.config["ROSTER_MAX_BYTES"]
    unpacked_limit = current_app.config["ROSTER_MAX_UNPACKED_BYTES"]
    job_limit = max(limit, current_app.config["ROSTER_JOB_MAX_BYTES"])
    data = form.roster.data.read(job_limit + 1)
    name = form.roster.data.filename or "roster.zip"
    if len(data) > job_limit:
        message = _(
            "The file is too large for the page (%(mb)s MB at most): import it "
            "with the command flask rosters import.",
            mb=job_limit // 1_000_000,
        )
        return _index_page(form, [message]), 400
    if len(data) > limit:
        job = queue_roster_job(data, name, form.state.data or "", current_user)
        # Committed before queueing: the worker reads the job from the database.
        db.session.commit()
        import_roster_task(job.id)
        return redirect(url_for(".job", roster_job_id=job.id))
    record = import_roster(
        read_zip(data, unpacked_limit), current_user, name, data, form.state.data or ""
    )
    flash(_("The roster was imported."), "success")
    return redirect(url_for(".index", shown=record.id))


def _index_page(form: RosterUploadForm, problems: list):
    shown = db.session.get(RosterImport, request.args.get("shown", 0, type=int))
    if shown is not None and shown.imported_by_id != current_user.id:
        shown = None
    return render_template(
        "rosters/index.html",
        form=form,
        problems=problems[:SHOWN_PROBLEMS],
        problem_count=len(problems),
        pagination=_history(),
        shown=shown,
        can_map_courses=can_map_courses(current_user),
    )


def _export_scopes() -> dict[str, list[Site]]:
    """What `current_user` may export: "state:US-TX" (every site of a state) or "site:<id>"."""
    sites = [
        s
        for s in db.session.scalars(
            select(Site).where(Site.is_external.is_(False)).order_by(Site.state_code, Site.code)
        )
        if can_manage_site(current_user, s)
    ]
    scopes: dict[str, list[Site]] = {}
    if not current_user.site_id:
        for site in sites:
            scopes.setdefault(f"state:{site.state_code}", []).append(site)
    for site in sites:
        scopes[f"site:{site.id}"] = [site]
    return scopes


@bp.route("/export")
@coordinator_required
def export():
    scopes = _export_scopes()
    form = RosterExportForm(request.args)
    form.scope.choices = [
        SelectChoice(
            key,
            _("All sites of %(state)s", state=key[6:])
            if key.startswith("state:")
            else f"{sites[0].code} · {sites[0].name}",
        )
        for key, sites in scopes.items()
    ]
    if "scope" not in request.args:
        return render_template("rosters/export.html", form=form)
    if not form.validate():
        return render_template("rosters/export.html", form=form), 400
    user = current_user._get_current_object()
    data = export_oneroster(scopes[form.scope.data], form.version.data, user)
    name = f"oneroster-{form.version.data}-{form.scope.data.replace(':', '-')}.zip"
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )


@bp.route("/courses", methods=["GET", "POST"])
@admin_required
def courses():
    form = CourseMapForm()
    status = 200
    if form.validate_on_submit():
        try:
            entry = map_roster_course(form.key.data, form.course_code.data, current_user)
        except CourseMapError as error:
            form.course_code.errors.append(str(error))
            status = 400
        else:
            flash(
                _("%(key)s now means the course %(code)s.", key=entry.key, code=entry.course.code),
                "success",
            )
            return redirect(url_for(".courses"))
    elif request.method == "POST":
        status = 400
    return render_template(
        "rosters/courses.html", form=form, entries=course_map(), delete_form=FlaskForm()
    ), status


@bp.route("/courses/<int:map_id>/delete", methods=["POST"])
@admin_required
def delete_course_map(map_id: int):
    entry = db.get_or_404(RosterCourseMap, map_id)
    if FlaskForm().validate_on_submit():
        unmap_roster_course(entry, current_user)
        flash(_("The mapping was removed."), "success")
    return redirect(url_for(".courses"))


@bp.route("/jobs/<int:roster_job_id>")
@coordinator_required
def job(roster_job_id: int):
    """A roster import running in the background: its phase, then what it changed or why not."""
    found = db.get_or_404(RosterJob, roster_job_id)
    if not can_open_job(current_user, found):
        abort(404)
    return render_template("rosters/job.html", job=found)
