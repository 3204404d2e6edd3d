"""Certificate pages: coordinators issue and revoke; students and staff download; anyone verifies."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.certificates.credential import issuer_document, key_id
from app.certificates.documents import certificate_html
from app.certificates.forms import ConfirmForm, RevokeForm, VerifyForm
from app.certificates.models import Certificate
from app.certificates.services import (
    CertificateError,
    certificates_in_scope,
    find_by_code,
    issue_certificate,
    issue_certificates,
    load_certificate_pdf,
    pending_awards,
    revoke_certificate,
)
from app.certificates.signing import load_private_key, public_jwk
from app.common import paginate
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment
from app.extensions import db, limiter
from app.permissions import (
    can_award_credit,
    can_view_student,
    coordinator_required,
    student_required,
    visible_sites,
)
from app.students.models import Student

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
public = Blueprint("verify", __name__)
BULK_LIMIT = 2000  # per request; larger runs go through `flask certificates issue-pending`


@bp.route("/")
@coordinator_required
def index():
    pagination = paginate(certificates_in_scope(current_user, request.args))
    site_id = request.args.get("site", type=int)
    pending = db.session.scalar(
        select(func.count()).select_from(pending_awards(current_user, site_id).subquery())
    )
    return render_template(
        "certificates/index.html", pagination=pagination, pending=pending,
        sites=visible_sites(current_user), form=ConfirmForm(),
    )  # fmt: skip


@bp.route("/issue-pending", methods=["POST"])
@coordinator_required
def issue_pending():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    site_id = request.form.get("site", type=int)
    awards = list(db.session.scalars(pending_awards(current_user, site_id).limit(BULK_LIMIT)))
    if not awards:
        flash(_("There is no credit award waiting for a certificate."), "info")
        return redirect(url_for(".index", site=site_id))
    try:
        certs = issue_certificates(awards, current_user)
    except CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".index", site=site_id))
    flash(_("%(n)s certificates issued.", n=len(certs)), "success")
    return redirect(url_for(".index", site=site_id))


@bp.route("/awards/<int:award_id>/issue", methods=["POST"])
@coordinator_required
def issue(award_id: int):
    award = db.session.get(CreditAward, award_id) or abort(404)
    if not can_award_credit(current_user, award.enrollment.student):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        cert = issue_certificate(award, current_user)
    except CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("credits.enrollment", enrollment_id=award.enrollment_id))
    flash(_("Certificate %(serial)s issued.", serial=cert.serial), "success")
    return redirect(url_for(".detail", cert_id=cert.id))


def _visible_certificate(cert_id: int) -> Certificate:
    cert = db.session.get(Certificate, cert_id) or abort(404)
    if not can_view_student(current_user, cert.student):
        abort(403)
    return cert


@bp.route("/<int:cert_id>")
@login_required
def detail(cert_id: int):
    cert = _visible_certificate(cert_id)
    return render_template(
        "certificates/detail.html", cert=cert, page=certificate_html(cert), form=RevokeForm(),
        can_revoke=can_award_credit(current_user, cert.student),
    )  # fmt: skip


@bp.route("/<int:cert_id>/certificate.pdf")
@login_required
def pdf(cert_id: int):
    cert = _visible_certificate(cert_id)
    return Response(load_certificate_pdf(cert), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'})  # fmt: skip


@bp.route("/<int:cert_id>/credential.json")
@login_required
def credential(cert_id: int):
    cert = _visible_certificate(cert_id)
    response = jsonify(cert.credential)
    response.headers["Content-Disposition"] = f'attachment; filename="{cert.serial}.json"'
    return response


@bp.route("/<int:cert_id>/revoke", methods=["POST"])
@coordinator_required
def revoke(cert_id: int):
    cert = _visible_certificate(cert_id)
    if not can_award_credit(current_user, cert.student):
        abort(403)
    form = RevokeForm()
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(str(error), "error")
        return redirect(url_for(".detail", cert_id=cert.id))
    try:
        revoke_certificate(cert, current_user, form.reason.data)
    except CertificateError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Certificate %(serial)s revoked.", serial=cert.serial), "success")
    return redirect(url_for(".detail", cert_id=cert.id))


@bp.route("/mine")
@student_required
def mine():
    stmt = (
        select(Certificate)
        .join(Certificate.student)
        .where(Student.user_id == current_user.id)
        .options(selectinload(Certificate.site))
        .order_by(Certificate.issued_at.desc())
    )
    return render_template("certificates/mine.html", pagination=paginate(stmt))


def enrollment_certificates(enrollment: Enrollment) -> list[Certificate]:
    """Every certificate of an enrollment, newest first (for the credit page)."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))  # fmt: skip


# --- public: no account needed ---------------------------------------------------------------


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def verification_report(cert: Certificate | None, code: str) -> dict:
    if cert is None:
        return {"status": "unknown", "code": code}
    report = {
        "status": cert.status.value,
        "serial": cert.serial,
        "code": cert.display_code,
        "issued_at": cert.facts.get("issued_at"),
        "facts": cert.facts,
        "credential": url_for("verify.credential_public", code=cert.code, _external=True),
        "public_key": url_for("verify.issuer", _external=True),
    }
    if cert.revoked_at:
        report["revoked_at"] = cert.revoked_at.isoformat() + "Z"
        report["revoke_reason"] = cert.revoke_reason
    if cert.replaced_by is not None:
        report["replaced_by"] = {
            "serial": cert.replaced_by.serial,
            "url": url_for("verify.certificate", code=cert.replaced_by.code, _external=True),
        }
    return report


@public.route("/verify", methods=["GET"])
def lookup():
    form = VerifyForm(request.args)
    if request.args.get("code") and form.validate():
        return redirect(url_for(".certificate", code=form.code.data.strip()))
    return render_template("certificates/verify_form.html", form=form)


@public.route("/verify/<code>")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
def certificate(code: str):
    cert = find_by_code(code)
    report = verification_report(cert, code)
    status = 404 if cert is None else 200
    if _wants_json():
        return jsonify(report), status
    page = certificate_html(cert) if cert else None
    return render_template("certificates/verify.html", cert=cert, report=report, page=page), status


@public.route("/verify/<code>/credential.json")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"])
def credential_public(code: str):
    cert = find_by_code(code) or abort(404)
    return jsonify(cert.credential)


@public.route("/issuer")
def issuer():
    return jsonify(issuer_document())


@public.route("/.well-known/jwks.json")
def jwks():
    return jsonify({"keys": [public_jwk(load_private_key(), key_id())]})
