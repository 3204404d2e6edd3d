"""Admin pages: the audit trail (filtered, exported as CSV) and course packages (upload, versions)."""

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.audit_trail import (
    audit_csv,
    audit_filters,
    filter_events,
    known_actions,
    students_of,
)
from app.admin.forms import CoursePackageForm
from app.admin.views import bp
from app.audit.services import record_event
from app.common import paginate
from app.courses.package import PackageError, version_key
from app.courses.services import every_course, import_uploaded_packages
from app.permissions import admin_required


@bp.route("/audit")
@admin_required
def audit():
    filters = audit_filters(request.args)
    pagination = paginate(filter_events(filters))
    return render_template(
        "admin/audit.html",
        pagination=pagination,
        students=students_of(pagination.items),
        filters=filters,
        actions=known_actions(),
    )


@bp.route("/audit.csv")
@admin_required
def audit_export():
    filters = audit_filters(request.args)
    shown = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    user = current_user._get_current_object()
    record_event(user, "audit.exported", user, filters=shown)
    return Response(
        stream_with_context(audit_csv(filters)),
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="audit-trail.csv"',
            "Cache-Control": "no-store",
        },
    )


def _courses_page(form, problems=None):
    pagination = paginate(every_course())
    versions = {
        course.id: sorted(course.versions, key=lambda v: version_key(v.version), reverse=True)
        for course in pagination.items
    }
    return render_template(
        "admin/courses.html",
        form=form,
        pagination=pagination,
        versions=versions,
        problems=problems or [],
    )


@bp.route("/courses", methods=["GET", "POST"])
@admin_required
def courses():
    form = CoursePackageForm()
    if not form.validate_on_submit():
        return _courses_page(form), 400 if request.method == "POST" else 200
    limit = current_app.config["COURSE_PACKAGE_MAX_BYTES"]
    upload = form.package.data
    try:
        data = upload.read(limit + 1)
    finally:
        upload.close()  # a large upload is a temporary file
    if len(data) > limit:
        form.package.errors.append(_("The file is larger than %(mb)s MB.", mb=limit // 1_000_000))
        return _courses_page(form), 413
    try:
        results = import_uploaded_packages(data, current_user)
    except PackageError as error:
        return _courses_page(form, error.problems), 400
    for result in results:
        version = result.version
        if result.created:
            flash(
                _("%(code)s %(version)s is imported.", code=version.code, version=version.version),
                "success",
            )
        else:
            flash(
                _(
                    "%(code)s %(version)s was already imported: nothing changed.",
                    code=version.code,
                    version=version.version,
                ),
                "success",
            )
    return redirect(url_for(".courses"))
