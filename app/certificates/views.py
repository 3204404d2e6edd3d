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

from app.certificates.credential import did_document, issuer_document, key_document
from app.certificates.disclosure import public_facts
from app.certificates.documents import certificate_html
from app.certificates.forms import ConfirmForm, RevokeForm, VerifyForm
from app.certificates.integrity import standard_form
from app.certificates.keys import published_jwt_keys, published_keys
from app.certificates.models import Certificate, CertificateJob
from app.certificates.public_page import (
    certificate_etag,
    is_shareable,
    public_certificate_html,
)
from app.certificates.services import (
    certificate_jwt,
    certificates_in_scope,
    find_by_code,
    issue_certificate,
    job_archive,
    load_certificate_pdf,
    pending_awards,
    replaced_certificate,
    revoke_certificate,
)
from app.certificates.signing import public_jwk, public_key_from_multibase
from app.certificates.status import PURPOSE, status_list_url
from app.certificates.status_list import current_status_list
from app.certificates.tasks import issue_pending_task, print_certificate_task
from app.certificates.transcript import issue_transcript, transcript_pdf
from app.certificates.vc_jwt import public_jwt_jwk
from app.common import paginate, public_url
from app.credits.models import CreditAward
from app.errors import on_refusal
from app.extensions import db, limiter
from app.http_cache import client_has, not_modified, page_is_fresh, private_validator, tagged
from app.installation import key_id, peer_service
from app.limits import is_a_miss
from app.page_cache.pages import cached_page, viewer
from app.permissions import (
    can_award_credit,
    can_follow_student,
    can_open_job,
    can_view_student,
    coordinator_required,
    get_student_or_404,
    staff_required,
    student_required,
    visible_sites,
)
from app.sites.services import served_places
from app.students.models import Student

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
public = Blueprint("verify", __name__)
# A certificate never changes once issued, except its status: whoever holds a copy revalidates
# it (no-cache) and gets a 304 until it is revoked or replaced. The public answers name no
# private identifier (disclosure.py); a page or a student's own download stays in the browser.
PUBLIC_CACHE = "public, no-cache"
PRIVATE_CACHE = "private, no-cache"


@bp.route("/")
@coordinator_required
def index():
    pagination = paginate(certificates_in_scope(current_user, request.args))
    site_id = request.args.get("site", type=int)
    pending = db.session.scalar(
        select(func.count()).select_from(pending_awards(current_user, site_id).subquery())
    )
    return render_template(
        "certificates/index.html",
        pagination=pagination,
        pending=pending,
        sites=visible_sites(current_user),
        form=ConfirmForm(),
    )


@bp.route("/issue-pending", methods=["POST"])
@coordinator_required
def issue_pending():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    site_id = request.form.get("site", type=int)
    if site_id and site_id not in {s.id for s in visible_sites(current_user)}:
        abort(403)
    job = CertificateJob(created_by_id=current_user.id, site_id=site_id)
    db.session.add(job)
    # Committed before queueing: the worker reads the job from the database.
    db.session.commit()
    issue_pending_task(job.id)
    return redirect(url_for(".job", job_id=job.id))


def _own_job(job_id: int) -> CertificateJob:
    job = db.session.get(CertificateJob, job_id) or abort(404)
    if not can_open_job(current_user, job):
        abort(403)
    return job


@bp.route("/jobs/<int:job_id>")
@coordinator_required
def job(job_id: int):
    return render_template("certificates/job.html", job=_own_job(job_id))


@bp.route("/jobs/<int:job_id>.json")
@coordinator_required
def job_progress(job_id: int):
    job = _own_job(job_id)
    return jsonify(
        status=job.status.value,
        total=job.total,
        issued=job.issued,
        failed=job.failed,
        failures=job.failures[:100],
        finished=job.finished_at is not None,
    )


@bp.route("/jobs/<int:job_id>/certificates.zip")
@coordinator_required
def job_zip(job_id: int):
    job = _own_job(job_id)
    if job.finished_at is None or not (job.print_ids or job.failures):
        abort(404)
    return Response(
        job_archive(job),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="certificates-job-{job.id}.zip"'},
    )


@bp.route("/awards/<int:award_id>/issue", methods=["POST"])
@coordinator_required
def issue(award_id: int):
    award = db.session.get(CreditAward, award_id) or abort(404)
    if not can_award_credit(current_user, award.enrollment.student):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on_refusal(
        redirect_to=url_for("credits.enrollment", enrollment_id=award.enrollment_id),
        conflict=_("A certificate for this credit was issued at the same moment; see it below."),
    )
    cert = issue_certificate(award, current_user, render=False)
    flash(_("Certificate %(serial)s issued.", serial=cert.serial), "success")
    # Committed before queueing: the worker renders the PDF from the stored certificate.
    db.session.commit()
    print_certificate_task(cert.id)
    return redirect(url_for(".detail", cert_id=cert.id))


def _visible_certificate(cert_id: int) -> Certificate:
    cert = db.session.get(Certificate, cert_id) or abort(404)
    student = cert.student
    if not (can_view_student(current_user, student) or can_follow_student(current_user, student)):
        abort(403)
    return cert


@bp.route("/<int:cert_id>")
@login_required
def detail(cert_id: int):
    cert = _visible_certificate(cert_id)
    return render_template(
        "certificates/detail.html",
        cert=cert,
        page=certificate_html(cert),
        form=RevokeForm(),
        can_revoke=can_award_credit(current_user, cert.student),
    )


@bp.route("/<int:cert_id>/certificate.pdf")
@login_required
def pdf(cert_id: int):
    cert = _visible_certificate(cert_id)
    if cert.print_id is None:
        preparing = render_template("certificates/preparing.html", cert=cert)
        return preparing, 202, {"Refresh": "2", "Retry-After": "2"}
    etag = certificate_etag("pdf", cert)
    if client_has(etag):
        return not_modified(etag, PRIVATE_CACHE)
    response = Response(
        load_certificate_pdf(cert),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{cert.serial}.pdf"'},
    )
    return tagged(response, etag, PRIVATE_CACHE)


@bp.route("/<int:cert_id>/credential.json")
@login_required
def credential(cert_id: int):
    cert = _visible_certificate(cert_id)
    etag = certificate_etag("credential.json", cert)
    if client_has(etag):
        return not_modified(etag, PRIVATE_CACHE)
    response = jsonify(standard_form(cert.credential))
    response.headers["Content-Disposition"] = f'attachment; filename="{cert.serial}.json"'
    return tagged(response, etag, PRIVATE_CACHE)


@bp.route("/<int:cert_id>/credential.jwt")
@login_required
def credential_jwt(cert_id: int):
    cert = _visible_certificate(cert_id)
    etag = certificate_etag("credential.jwt", cert)
    if client_has(etag):
        return not_modified(etag, PRIVATE_CACHE)
    return tagged(_jwt_response(certificate_jwt(cert), cert.serial), etag, PRIVATE_CACHE)


def _jwt_response(token: str, serial: str | None = None) -> Response:
    response = Response(token, mimetype="application/vc+jwt")
    if serial:
        response.headers["Content-Disposition"] = f'attachment; filename="{serial}.jwt"'
    return response


@bp.route("/students/<int:student_id>/transcript.json")
@staff_required
def transcript_json(student_id: int):
    student = get_student_or_404(student_id)
    transcript, _facts = issue_transcript(student, current_user, "json")
    response = jsonify(transcript)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="transcript-{student.msix_id or student.id}.json"'
    )
    return response


@bp.route("/students/<int:student_id>/transcript.pdf")
@staff_required
def transcript_pdf_download(student_id: int):
    student = get_student_or_404(student_id)
    transcript, facts = issue_transcript(student, current_user, "pdf")
    return Response(
        transcript_pdf(transcript, facts),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="transcript-{student.msix_id or student.id}.pdf"'
            )
        },
    )


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
    on_refusal(redirect_to=url_for(".detail", cert_id=cert.id))
    revoke_certificate(cert, current_user, form.reason.data)
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


# --- public: no account needed ---------------------------------------------------------------


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def verification_report(
    cert: Certificate | None, code: str, replaces: Certificate | None = None
) -> dict:
    """What /verify tells anyone with the code (minimal disclosure: see disclosure.py);
    `replaces`: the certificate it replaced (replaced_certificate)."""
    if cert is None:
        return {"status": "unknown", "code": code}
    report = {
        "status": cert.status.value,
        "serial": cert.serial,
        "code": cert.display_code,
        "issued_at": cert.facts.get("issued_at"),
        "facts": public_facts(cert.facts),
        "public_key": public_url("verify.issuer"),
        "status_list": status_list_url(),
    }
    if cert.status_index is not None:
        report["status_list_index"] = cert.status_index
    if shareable(cert):
        report["credential"] = public_url("verify.credential_public", code=cert.code)
    if replaces is not None:
        report["replaces"] = {
            "serial": replaces.serial,
            "url": public_url("verify.certificate", code=replaces.code),
        }
    if cert.revoked_at:
        report["revoked_at"] = cert.revoked_at.isoformat() + "Z"
        report["revoke_reason"] = cert.revoke_reason
    if cert.replaced_by is not None:
        report["replaced_by"] = {
            "serial": cert.replaced_by.serial,
            "url": public_url("verify.certificate", code=cert.replaced_by.code),
        }
    return report


@public.route("/verify", methods=["GET"])
def lookup():
    form = VerifyForm(request.args)
    if request.args.get("code") and form.validate():
        return redirect(url_for(".certificate", code=form.code.data.strip()))
    return render_template("certificates/verify_form.html", form=form)


@public.route("/verify/<code>")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], deduct_when=is_a_miss)
def certificate(code: str):
    cert = find_by_code(code)
    if cert is None:
        report = verification_report(None, code)
        if _wants_json():
            return jsonify(report), 404
        return render_template("certificates/verify.html", cert=None, report=report), 404
    replaces = replaced_certificate(cert)
    if _wants_json():
        etag = certificate_etag("verify.json", cert, replaces)
        if client_has(etag):
            return not_modified(etag, PUBLIC_CACHE)
        return tagged(jsonify(verification_report(cert, code, replaces)), etag, PUBLIC_CACHE)
    # The page around the certificate shows the viewer (menu, language, forms): it is theirs,
    # and its bytes differ each time (time stamp, CSRF token), so its validator is weak.
    tag = certificate_etag("verify.html", cert, replaces)
    etag = private_validator(tag, viewer())
    if page_is_fresh(etag):
        return not_modified(etag, PRIVATE_CACHE, weak=True)
    page = cached_page(
        # Where a change to it is counted: its own row names its site, and a change to any
        # certificate of the student (one replacing it) counts at the student's site.
        [cert.site_id, cert.student.site_id],
        lambda: _verify_page(cert, code, replaces),
        tag=tag,
    )
    return tagged(page, etag, PRIVATE_CACHE, weak=True)


def _verify_page(cert: Certificate, code: str, replaces: Certificate | None) -> Response:
    page = render_template(
        "certificates/verify.html",
        cert=cert,
        report=verification_report(cert, code, replaces),
        page=public_certificate_html(cert),
    )
    # Kept with the page, for when it is served before this view runs.
    return Response(page, headers={"Cache-Control": PRIVATE_CACHE})


def shareable(cert: Certificate) -> bool:
    return is_shareable(cert)


@public.route("/verify/<code>/credential.json")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], deduct_when=is_a_miss)
def credential_public(code: str):
    cert = find_by_code(code) or abort(404)
    if not shareable(cert):
        return _not_shareable()
    etag = certificate_etag("credential.json", cert)
    if client_has(etag):
        return not_modified(etag, PUBLIC_CACHE)
    return tagged(jsonify(standard_form(cert.credential)), etag, PUBLIC_CACHE)


def _not_shareable():
    message = _(
        "This credential names the student's identifiers in clear: only the student "
        "and the school can give it out."
    )
    return jsonify(error=message), 404


@public.route("/verify/<code>/credential.jwt")
@limiter.limit(lambda: current_app.config["VERIFY_RATE_LIMIT"], deduct_when=is_a_miss)
def credential_jwt_public(code: str):
    cert = find_by_code(code) or abort(404)
    if not shareable(cert):
        return _not_shareable()
    etag = certificate_etag("credential.jwt", cert)
    if client_has(etag):
        return not_modified(etag, PUBLIC_CACHE)
    return tagged(_jwt_response(certificate_jwt(cert)), etag, PUBLIC_CACHE)


@public.route("/status/<purpose>")
def status_list(purpose: str):
    if purpose != PURPOSE:
        abort(404)
    response = jsonify(current_status_list().credential)
    response.headers["Cache-Control"] = "public, no-cache"  # stored, but checked every time
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers in other sites' pages
    response.add_etag()
    return response.make_conditional(request)


@public.route("/issuer")
def issuer():
    return jsonify(issuer_document([peer_service(served_places())]))


@public.route("/issuer/keys/<name>")
def issuer_key(name: str):
    key = next((k for k in published_keys() if k.name == name), None) or abort(404)
    response = jsonify({"@context": MULTIKEY_CONTEXT, **key_document(key)})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public.route("/issuer/keys")
def issuer_keys():
    """Every key the installation signed with, and when it signed (a key signs until the next
    rotation; what it signed keeps verifying)."""
    return jsonify(
        keys=[
            {
                **key_document(k),
                "validFrom": _stamp(k.valid_from),
                "validUntil": _stamp(k.valid_until) if k.valid_until else None,
                "endorsement": k.endorsement,
            }
            for k in published_keys()
        ]
    )


def _stamp(moment) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


@public.route("/.well-known/did.json")
def did_json():
    response = jsonify(did_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public.route("/issuer/jwk/<jwk_name>")
def issuer_jwt_key(jwk_name: str):
    key = next((k for k in published_jwt_keys() if k.name == jwk_name), None) or abort(404)
    response = jsonify(public_jwt_jwk(key))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@public.route("/.well-known/jwks.json")
def jwks():
    keys = [
        public_jwk(public_key_from_multibase(k.public_key_multibase), key_id(k.name))
        for k in published_keys()
    ]
    return jsonify({"keys": [*keys, *(public_jwt_jwk(k) for k in published_jwt_keys())]})
