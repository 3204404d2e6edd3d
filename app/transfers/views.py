"""Transfer pages: export a student's package, import one (review the match), trusted issuers."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.audit.services import record_event
from app.certificates.signing import public_key_from_multibase
from app.extensions import db
from app.permissions import (
    admin_required,
    get_student_or_404,
    staff_required,
    student_scope,
    visible_sites,
)
from app.students.models import Student
from app.transfers.forms import ConfirmForm, TrustForm, UploadForm
from app.transfers.models import TrustedIssuer
from app.transfers.package import build_package, check_package, own_public_key
from app.transfers.services import (
    MatchKind,
    TransferError,
    already_imported,
    import_package,
    match_student,
)

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
    return Response(json.dumps(package, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


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
        return render_template(
            "transfers/upload.html", form=form
        ), 400 if request.method == "POST" else 200
    raw = form.package.data.read(5_000_001)
    if len(raw) > 5_000_000:
        return render_template(
            "transfers/upload.html",
            form=form,
            problems=[_("The file is too large (5 MB at most).")],
        ), 400
    check = check_package(raw)
    if not check.ok:
        return render_template("transfers/upload.html", form=form, problems=check.problems), 400
    return _review(check.package, form.site_id.data)


def _review(package: dict, site_id: int, status: int = 200):
    match = match_student(package["student"])
    # Name-only candidates are shown only when the user may already see them (FERPA).
    visible = set(db.session.scalars(select(Student.id).where(
        Student.id.in_([c.id for c in match.candidates]), student_scope(current_user))))  # fmt: skip
    candidates = [
        c for c in match.candidates if match.kind != MatchKind.UNCERTAIN or c.id in visible
    ]
    form = ConfirmForm(package=json.dumps(package, ensure_ascii=False), site_id=site_id)
    _site_choices(form)
    choices = [
        SelectChoice(str(c.id), f"{c.full_name} · {c.birth_date or '—'} · {c.site.name}")
        for c in candidates
    ]
    if match.kind in (MatchKind.UNCERTAIN, MatchKind.NEW):
        choices.append(SelectChoice("new", _("Create a new student record")))
    form.student.choices = choices
    form.student.data = str(match.student.id) if match.student else "new"
    return render_template("transfers/review.html", form=form, package=package, match=match,
                           done=already_imported(package)), status  # fmt: skip


@bp.route("/confirm", methods=["POST"])
@staff_required
def confirm():
    form = ConfirmForm()
    _site_choices(form)
    check = check_package((form.package.data or "").encode())
    if not check.ok:
        return render_template(
            "transfers/upload.html", form=UploadForm(), problems=check.problems
        ), 400
    package = check.package
    done = already_imported(package)
    if done is not None:
        flash(_("This package was already imported; nothing changed."), "info")
        return redirect(url_for("students.detail", student_id=done.student_id))
    match = match_student(package["student"])
    allowed = {str(c.id) for c in match.candidates} | (
        {"new"} if match.kind in (MatchKind.UNCERTAIN, MatchKind.NEW) else set()
    )
    form.student.choices = [SelectChoice(v) for v in allowed]
    if not form.validate_on_submit() or form.site_id.data not in {
        s.id for s in visible_sites(current_user)
    }:
        return _review(package, form.site_id.data, 400)
    student = (
        None if form.student.data == "new" else db.session.get(Student, int(form.student.data))
    )
    site = next(s for s in visible_sites(current_user) if s.id == form.site_id.data)
    try:
        record = import_package(package, site, current_user, student)
    except TransferError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _review(package, site.id, 409)
    flash(_("The record of %(name)s was imported.", name=record.student.full_name), "success")
    return redirect(url_for("students.detail", student_id=record.student_id))


@bp.route("/issuers", methods=["GET", "POST"])
@admin_required
def issuers():
    form = TrustForm()
    if form.validate_on_submit():
        try:
            public_key_from_multibase(form.public_key.data)
        except ValueError:
            form.public_key.errors.append(_("This is not an Ed25519 public key."))
        else:
            if db.session.scalar(
                select(TrustedIssuer).where(TrustedIssuer.issuer == form.issuer.data)
            ):
                form.issuer.errors.append(_("This installation is already trusted."))
            else:
                row = TrustedIssuer(issuer=form.issuer.data, name=form.name.data,
                                    public_key_multibase=form.public_key.data, added_by_id=current_user.id)  # fmt: skip
                db.session.add(row)
                db.session.flush()
                record_event(current_user, "transfer.issuer_trusted", row, issuer=row.issuer)
                flash(_("Packages from %(name)s are now accepted.", name=row.name), "success")
                return redirect(url_for(".issuers"))
    rows = db.session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.name)).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "transfers/issuers.html", form=form, rows=rows, own_key=own_public_key()
    ), status
