"""Transfer pages: export a student's package, import one (review the match), trusted installations."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.audit.services import record_event
from app.certificates.credential import issuer_document
from app.errors import on_refusal
from app.extensions import db
from app.installation import peer_service
from app.permissions import (
    admin_required,
    get_student_or_404,
    staff_required,
    visible_sites,
)
from app.sites.services import served_places
from app.transfers.checking import MAX_PACKAGE_BYTES, check_package
from app.transfers.forms import ConfirmForm, TrustForm, UploadForm
from app.transfers.matching import NEW, resolve_target
from app.transfers.models import TrustedIssuer
from app.transfers.package import build_package, own_public_key
from app.transfers.services import TransferError, already_imported, import_package
from app.transfers.trust import read_issuer_document, trust_installation

bp = Blueprint("transfers", __name__, url_prefix="/transfers")


@bp.route("/students/<int:student_id>/package.json")
@staff_required
def export(student_id: int):
    student = get_student_or_404(student_id, manage=True)
    package = build_package(student)
    record_event(
        current_user, "transfer.exported", student, student_id=student.id, package=package["id"]
    )
    name = f"transfer-{student.family_name}-{student.given_name}-{package['exported_at'][:10]}.json"
    return Response(
        json.dumps(package, ensure_ascii=False, indent=1),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _site_choices(form) -> None:
    form.site_id.choices = [
        SelectChoice(s.id, f"{s.name} ({s.state_code})") for s in visible_sites(current_user)
    ]


@bp.route("/import", methods=["GET", "POST"])
@staff_required
def upload():
    form = UploadForm()
    _site_choices(form)
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("transfers/upload.html", form=form), status
    check = check_package(form.package.data.read(MAX_PACKAGE_BYTES + 1))
    if not check.ok:
        return render_template("transfers/upload.html", form=form, problems=check.problems), 400
    return _review(check.package, form.site_id.data)


def _review(package: dict, site_id: int | None):
    resolution = resolve_target(package["student"], current_user)
    # Built from the values given, never from the request (the upload's file field has the
    # same name as the package text carried to the confirmation).
    form = ConfirmForm(formdata=None, package=json.dumps(package, ensure_ascii=False))
    _site_choices(form)
    form.site_id.data = site_id
    choices = [
        SelectChoice(
            str(s.id),
            f"{s.full_name} · {s.birth_date.year if s.birth_date else '—'} · {s.site.name}",
        )
        for s in resolution.choices
    ]
    if resolution.allow_new:
        choices.append(SelectChoice(NEW, _("Create a new student record")))
    form.student.choices = choices
    form.student.data = resolution.default
    done = already_imported(package)
    return render_template(
        "transfers/review.html",
        form=form,
        package=package,
        resolution=resolution,
        done=done,
    )


@bp.route("/confirm", methods=["POST"])
@staff_required
def confirm():
    form = ConfirmForm()
    _site_choices(form)
    check = check_package((form.package.data or "").encode())
    if not check.ok:
        return render_template(
            "transfers/upload.html", form=UploadForm(formdata=None), problems=check.problems
        ), 400
    package = check.package
    done = already_imported(package)
    if done is not None:
        flash(_("This package was already imported; nothing changed."), "info")
        return redirect(url_for("students.detail", student_id=done.student_id))
    sites = {s.id: s for s in visible_sites(current_user)}
    site = sites.get(form.site_id.data)
    on_refusal(lambda _error: _review(package, site.id if site else None))
    if site is None:
        raise TransferError(_("Choose one of your sites."), 400)
    record = import_package(package, site, current_user, form.student.data or "")
    flash(_("The record of %(name)s was imported.", name=record.student.full_name), "success")
    return redirect(url_for("students.detail", student_id=record.student_id))


@bp.route("/issuers", methods=["GET", "POST"])
@admin_required
def issuers():
    form = TrustForm()
    on_refusal(lambda _error: _issuers_page(form))
    if form.validate_on_submit():
        row = trust_installation(current_user, read_issuer_document(form.document.data))
        flash(_("Packages from %(name)s are now accepted.", name=row.name), "success")
        return redirect(url_for(".issuers"))
    return _issuers_page(form), 400 if request.method == "POST" else 200


def _issuers_page(form: TrustForm):
    rows = db.session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.name)).all()
    own = issuer_document([peer_service(served_places())])
    return render_template(
        "transfers/issuers.html",
        form=form,
        rows=rows,
        own=own,
        own_document=json.dumps(own, ensure_ascii=False, indent=2),
        own_key=own_public_key(),
    )
