"""Transfer pages: export a student's package, import one (review the match), trusted installations."""

import io
import json

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.audit.services import record_event
from app.certificates.credential import issuer_document
from app.common import to_int
from app.errors import on_refusal
from app.extensions import db
from app.installation import peer_service
from app.moves.models import InboundTransfer
from app.moves.services import inbound_scope
from app.permissions import (
    admin_required,
    can_view_student,
    get_student_or_404,
    staff_required,
    visible_sites,
)
from app.sites.services import served_places
from app.students.models import Student
from app.transfers import exchange
from app.transfers.checking import MAX_PACKAGE_BYTES, check_package
from app.transfers.forms import ConfirmForm, RemoveTrustForm, TrustForm, UploadForm
from app.transfers.matching import NEW, resolve_target
from app.transfers.models import TrustedIssuer
from app.transfers.package import build_package, own_public_key
from app.transfers.services import TransferError, already_imported, import_package
from app.transfers.trust import (
    read_issuer_document,
    remove_trusted_installation,
    trust_installation,
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
    # send_file names the download in ASCII and, for accents and spaces, in RFC 5987 too.
    return send_file(
        io.BytesIO(json.dumps(package, ensure_ascii=False, indent=1).encode()),
        mimetype="application/json",
        as_attachment=True,
        download_name=name.replace(" ", "-"),
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


def _review(package: dict, site_id: int | None, inbound_id: int | None = None):
    resolution = resolve_target(package["student"], current_user)
    # Built from the values given, never from the request (the upload's file field has the
    # same name as the package text carried to the confirmation).
    form = ConfirmForm(
        formdata=None, package=json.dumps(package, ensure_ascii=False), inbound_id=inbound_id
    )
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
        if can_view_student(current_user, done.student):
            return redirect(url_for("students.detail", student_id=done.student_id))
        return redirect(url_for("students.index"))  # imported at a site this user cannot see
    sites = {s.id: s for s in visible_sites(current_user)}
    site = sites.get(form.site_id.data)
    inbound = _inbound_or_404(form.inbound_id.data) if form.inbound_id.data else None
    on_refusal(lambda _error: _review(package, site.id if site else None, form.inbound_id.data))
    if site is None:
        raise TransferError(_("Choose one of your sites."), 400)
    choice = form.student.data or ""
    if inbound is not None and inbound.package_id == package["id"]:
        student_id = exchange.receive_inbound(inbound, site, current_user, choice)
    else:
        student_id = import_package(package, site, current_user, choice).student_id
    student = db.session.get(Student, student_id)
    flash(_("The record of %(name)s was imported.", name=student.full_name), "success")
    return redirect(url_for("students.detail", student_id=student_id))


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


@bp.route("/issuers/<int:issuer_id>/remove", methods=["POST"])
@admin_required
def remove_issuer(issuer_id: int):
    row = db.session.get(TrustedIssuer, issuer_id) or abort(404)
    form = RemoveTrustForm()
    on_refusal(lambda _error: _issuers_page(TrustForm(formdata=None), remove_form=form))
    if not form.validate_on_submit():
        return _issuers_page(TrustForm(formdata=None), remove_form=form), 400
    name = row.name
    remove_trusted_installation(current_user, row, form.reason.data)
    flash(_("Packages from %(name)s are no longer accepted.", name=name), "success")
    return redirect(url_for(".issuers"))


def _issuers_page(form: TrustForm, remove_form: RemoveTrustForm | None = None):
    rows = db.session.scalars(select(TrustedIssuer).order_by(TrustedIssuer.name)).all()
    own = issuer_document([peer_service(served_places())])
    return render_template(
        "transfers/issuers.html",
        form=form,
        rows=rows,
        own=own,
        own_document=json.dumps(own, ensure_ascii=False, indent=2),
        own_key=own_public_key(),
        remove_form=remove_form or RemoveTrustForm(formdata=None),
    )


def _inbound_or_404(inbound_id) -> InboundTransfer:
    inbound = db.session.scalar(
        select(InboundTransfer).where(
            InboundTransfer.id == to_int(inbound_id), inbound_scope(current_user)
        )
    )
    if inbound is None:
        abort(404)  # FERPA: a notice for another state is not even confirmed to exist
    return inbound


@bp.route("/inbound/<int:inbound_id>/review")
@staff_required
def inbound_review(inbound_id: int):
    """The review for a record sent here when a record of ours could continue: the user chooses."""
    inbound = _inbound_or_404(inbound_id)
    sites = {s.id: s for s in visible_sites(current_user)}
    site_id = request.args.get("site", type=int)
    return _review(inbound.package, site_id if site_id in sites else None, inbound.id)
