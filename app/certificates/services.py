"""Issue, reissue, revoke and look up certificates; issuing renders PDFs in batches."""

import csv
import io
import json
import re
import secrets
import zipfile
from datetime import UTC

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload, undefer

from app.audit.services import record_event
from app.certificates.credential import build_credential, sign_credential
from app.certificates.documents import certificate_pdf, certificate_qr, start_runs
from app.certificates.facts import certificate_facts
from app.certificates.integrity import standard_form
from app.certificates.keys import current_signing_key
from app.certificates.models import Certificate, CertificatePrint
from app.certificates.status_list import allocate_status_indexes, refresh_status_list
from app.certificates.vc_jwt import sign_vc_jwt
from app.common import to_int, utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import DomainError
from app.extensions import db
from app.notifications.models import Event
from app.notifications.services import notify, student_account
from app.permissions import can_award_credit, student_scope
from app.students.models import Student
from app.users.models import User

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_LENGTH = 16  # 80 random bits
_CODE_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})


class CertificateError(DomainError):
    """A certificate action is refused; the message says why."""

    status = 409


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """A typed or scanned code in its stored form, or None if it cannot be one."""
    code = re.sub(r"[\s-]", "", (text or "").upper()).translate(_CODE_FIXES)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


class CodesAhead:
    """Certificate codes made ahead, each with its QR code, for a bulk job: the next chunk's
    are made while wkhtmltopdf renders this chunk's, so Python and rendering overlap instead of
    taking turns. Each code is given out once; unused ones are simply never stored."""

    def __init__(self) -> None:
        self.wanted = 0  # how many the next chunk needs
        self._ready: list[str] = []
        self._qrs: dict[str, Markup] = {}

    def take(self) -> str:
        return self._ready.pop() if self._ready else new_code()

    def qr(self, code: str) -> Markup:
        return self._qrs.pop(code, None) or certificate_qr(code)

    def make(self) -> None:
        while len(self._ready) < self.wanted:
            code = new_code()
            self._ready.append(code)
            self._qrs[code] = certificate_qr(code)


def find_by_code(text: str) -> Certificate | None:
    code = normalize_code(text)
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


def pending_awards(user: User, site_id: int | None = None) -> Select:
    """Current credit awards in `user`'s scope that have no certificate yet."""
    certified = exists().where(Certificate.credit_award_id == CreditAward.id)
    stmt = (
        select(CreditAward)
        .join(CreditAward.enrollment)
        .join(Enrollment.student)
        .join(Student.site)
        .where(
            CreditAward.superseded_at.is_(None),
            CreditAward.imported_from.is_(None),
            ~certified,
            student_scope(user),
        )
        .options(_award_loads())
        .order_by(CreditAward.awarded_at, CreditAward.id)
    )
    if site_id:
        stmt = stmt.where(Student.site_id == site_id)
    return stmt


def _award_loads():
    return selectinload(CreditAward.enrollment).options(
        selectinload(Enrollment.student),
        selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
    )


def issue_certificates(
    awards: list[CreditAward],
    coordinator: User,
    ahead: CodesAhead | None = None,
    render: bool = True,
) -> list[Certificate]:
    """Issue one certificate per award (PDF + signed credential + record). All or nothing.
    A bulk job passes `ahead` (codes and QR codes made during the previous chunk's rendering).
    With `render` False the PDFs are left to print_certificates (the job queue's).

    A valid certificate of the same enrollment (an earlier award) is revoked and linked to
    its replacement; so is a revoked certificate of the same award that has no replacement yet
    (a reissue after a revoke).

    The awards' rows are locked first (PostgreSQL; in id order, so two issuers never deadlock)
    and re-read, so a racing issuer waits and then finds the certificate; the partial unique
    index keeps one valid certificate per award on every database. The credentials are signed
    while wkhtmltopdf renders the PDFs; status list indexes lock nothing on PostgreSQL (a
    sequence) and the list's row only when the list grows (status_list.py).

    :raises CertificateError: when an award is outside the coordinator's scope, superseded or
        already has a valid certificate.
    """
    lock_awards([a.id for a in awards])
    _check_issuable(awards, coordinator)
    now = utcnow().replace(microsecond=0)
    certs = []
    for award in awards:
        facts = certificate_facts(award, coordinator.full_name)
        code = ahead.take() if ahead else new_code()
        cert = Certificate(
            serial=f"tmp-{code}",
            code=code,
            credit_award_id=award.id,
            enrollment_id=award.enrollment_id,
            student_id=award.enrollment.student_id,
            site_id=award.site_id,
            state_code=award.state_code,
            issued_by_id=coordinator.id,
            issued_at=now,
            facts=facts,
        )
        certs.append(cert)
    db.session.add_all(certs)
    db.session.flush()
    issued = now.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    for cert in certs:
        cert.serial = f"PNT-{now.year}-{cert.id:07d}"
        cert.facts = {**cert.facts, "serial": cert.serial, "issued_at": issued}
    if not render:
        _sign_and_record(certs, awards, coordinator, now, issued)
        db.session.flush()
        return certs
    pending = start_runs(certs, ahead)
    try:
        _sign_and_record(certs, awards, coordinator, now, issued)
        if ahead:
            ahead.make()
        printed = pending.results()
    except BaseException:
        pending.cancel()
        raise
    _store_runs(printed, coordinator.id)
    db.session.flush()
    return certs


def _store_runs(printed: list[tuple[list[Certificate], bytes]], by_id: int) -> None:
    for run, pdf in printed:
        print_run = CertificatePrint(created_by_id=by_id, page_count=len(run), pdf=pdf)
        db.session.add(print_run)
        for number, cert in enumerate(run, start=1):
            cert.print_run, cert.page_number = print_run, number


def print_certificates(cert_ids: list[int]) -> list[Certificate]:
    """Render the PDFs of these certificates that have none yet (issued with `render` False),
    each certificate locked so two runs never print it twice. The certificates printed now.

    :raises DocumentError: when wkhtmltopdf fails (nothing is stored; a later run tries again).
    """
    certs = [
        cert
        for cert in db.session.scalars(
            select(Certificate)
            .where(Certificate.id.in_(cert_ids))
            .order_by(Certificate.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if cert.print_id is None
    ]
    if certs:
        _store_runs(start_runs(certs).results(), certs[0].issued_by_id)
        db.session.flush()
    return certs


def unprinted_certificate_ids(issued_before=None) -> list[int]:
    """Certificates still waiting for their PDF (issued before `issued_before`, if given)."""
    stmt = select(Certificate.id).where(Certificate.print_id.is_(None)).order_by(Certificate.id)
    if issued_before is not None:
        stmt = stmt.where(Certificate.issued_at < issued_before)
    return list(db.session.scalars(stmt))


def _sign_and_record(
    certs: list[Certificate], awards: list[CreditAward], coordinator: User, now, issued: str
) -> None:
    """While the PDFs render: replace earlier certificates, take status list indexes, sign
    both credential forms, and write the audit events and notices."""
    replaced = _replace_earlier(certs, coordinator, now)
    allocate_status_indexes(certs)
    key = current_signing_key()
    for cert in certs:
        cert.credential = sign_credential(
            build_credential(
                cert.serial, cert.code, issued, cert.facts, status_index=cert.status_index
            ),
            issued,
            key,
        )
        cert.credential_jwt = sign_vc_jwt(cert.credential)
    if replaced:
        refresh_status_list()
    for cert in certs:
        record_event(
            coordinator,
            "certificate.issued",
            cert,
            student_id=cert.student_id,
            serial=cert.serial,
            credit_award_id=cert.credit_award_id,
            status_index=cert.status_index,
        )
    for cert, award in zip(certs, awards, strict=True):
        _notify_issued(cert, award.enrollment, coordinator)


def _notify_issued(cert: Certificate, enrollment: Enrollment, coordinator: User) -> None:
    student = enrollment.student
    version = enrollment.course_version
    notify(
        Event.CERTIFICATE_ISSUED,
        student_account(student),
        student=student,
        target=("certificates.detail", {"cert_id": cert.id}),
        actor=coordinator,
        course_en=version.title_en,
        course_es=version.title_es,
        student_name=student.full_name,
    )


def issue_certificate(award: CreditAward, coordinator: User, render: bool = True) -> Certificate:
    return issue_certificates([award], coordinator, render=render)[0]


def lock_awards(ids: list[int]) -> None:
    """Hold these awards' rows until the transaction ends, and reload them as they are now
    (with what issuing reads; the rows must be fetched for either to happen)."""
    if ids:
        db.session.scalars(
            select(CreditAward)
            .where(CreditAward.id.in_(ids))
            .order_by(CreditAward.id)
            .with_for_update()
            .options(*_issue_loads())
            .execution_options(populate_existing=True)
        ).all()


def _issue_loads():
    """Everything a certificate's facts and the scope check read, in a few queries (no N+1)."""
    return (
        selectinload(CreditAward.site),
        selectinload(CreditAward.enrollment).options(
            selectinload(Enrollment.student).options(
                selectinload(Student.site), selectinload(Student.user)
            ),
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
        ),
    )


def certified_award_ids(ids: list[int]) -> set[int]:
    """Which of these awards already have a valid certificate (a revoked one can be reissued)."""
    stmt = select(Certificate.credit_award_id).where(
        Certificate.credit_award_id.in_(ids), Certificate.revoked_at.is_(None)
    )
    return set(db.session.scalars(stmt))


def _check_issuable(awards: list[CreditAward], coordinator: User) -> None:
    if not awards:
        raise CertificateError(_("There is no credit award to certify."))
    certified = certified_award_ids([a.id for a in awards])
    for award in awards:
        student = award.enrollment.student
        if not can_award_credit(coordinator, student):
            raise CertificateError(_("%(name)s is not in your scope.", name=student.full_name))
        if award.superseded_at is not None:
            raise CertificateError(_("This credit award was replaced by a newer one."))
        if award.imported_from:
            raise CertificateError(
                _(
                    "This credit was awarded at another installation; its certificate is verified there."
                )
            )
        if award.id in certified:
            raise CertificateError(
                _(
                    "A certificate was already issued for this credit (%(name)s).",
                    name=student.full_name,
                )
            )


def _replace_earlier(certs: list[Certificate], by: User, now) -> bool:
    """Revoke the enrollments' earlier valid certificates and link every certificate these
    replace (revoked now, or revoked before and not replaced yet) to its replacement.
    Whether anything was revoked now."""
    by_enrollment = {c.enrollment_id: c for c in certs}
    earlier = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.enrollment_id.in_(list(by_enrollment)),
            Certificate.replaced_by_id.is_(None),
            Certificate.id.not_in([c.id for c in certs]),
        )
        .order_by(Certificate.id)
    )
    revoked_now = False
    for old in earlier:
        new = by_enrollment[old.enrollment_id]
        if old.revoked_at is None:
            reason = (
                f"Replaced by {new.serial} (credit corrected) · "
                f"Reemplazado por {new.serial} (crédito corregido)"
            )
            _revoke(old, by, reason, now)
            revoked_now = True
        old.replaced_by_id = new.id
        record_event(
            by,
            "certificate.replaced",
            old,
            student_id=old.student_id,
            serial=old.serial,
            replaced_by=new.serial,
        )
    return revoked_now


def certificate_jwt(cert: Certificate) -> str:
    """The certificate's VC-JWT: the one made at issue, or (issued before VC-JWTs) one made now."""
    return cert.credential_jwt or sign_vc_jwt(standard_form(cert.credential))


def load_certificate_pdf(cert: Certificate) -> bytes:
    """The certificate's own PDF (its page of the print run, with the credential attached)."""
    run_pdf = db.session.scalar(
        select(CertificatePrint.pdf).where(CertificatePrint.id == cert.print_id)
    )
    return certificate_pdf(run_pdf, cert.page_number, cert)


def job_archive(job) -> bytes:
    """A ZIP of a bulk job: its print-run PDFs (ready to print), every signed credential (JSON
    and VC-JWT), and what could not be issued (not-issued.csv)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        runs = db.session.execute(
            select(CertificatePrint.id, CertificatePrint.pdf)
            .where(CertificatePrint.id.in_(job.print_ids))
            .order_by(CertificatePrint.id)
        )
        for print_id, pdf in runs:
            zipped.writestr(f"print-run-{print_id}.pdf", pdf)
        certs = db.session.scalars(
            select(Certificate)
            .where(Certificate.print_id.in_(job.print_ids))
            .options(undefer(Certificate.credential), undefer(Certificate.credential_jwt))
            .order_by(Certificate.id)
        )
        for cert in certs:
            zipped.writestr(
                f"credentials/{cert.serial}.json",
                json.dumps(standard_form(cert.credential), ensure_ascii=False),
            )
            zipped.writestr(f"credentials/{cert.serial}.jwt", certificate_jwt(cert))
        if job.failures:
            zipped.writestr("not-issued.csv", _failure_report(job.failures))
    return archive.getvalue()


def _failure_report(failures: list[dict]) -> str:
    """What a job could not issue, and why, as CSV (award, student, reason)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["award_id", "student", "reason"])
    for failure in failures:
        writer.writerow(
            [failure.get("award_id") or "", failure.get("student", ""), failure.get("reason", "")]
        )
    return out.getvalue()


def revoke_certificate(cert: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate; /verify says so at once, with the date and reason.

    :raises CertificateError: without a reason, or when it is already revoked.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Give the reason for revoking the certificate."))
    if cert.revoked_at is not None:
        raise CertificateError(_("This certificate is already revoked."))
    _revoke(cert, by, reason[:500], utcnow())
    refresh_status_list()
    db.session.flush()
    return cert


def _revoke(cert: Certificate, by: User, reason: str, now) -> None:
    cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = now, by.id, reason
    record_event(
        by,
        "certificate.revoked",
        cert,
        student_id=cert.student_id,
        reason=reason,
        serial=cert.serial,
    )


def certificates_in_scope(user: User, args) -> Select:
    """Certificates of students `user` may see, newest first, narrowed by site and status."""
    stmt = (
        select(Certificate)
        .join(Certificate.student)
        .join(Student.site)
        .where(student_scope(user))
        .options(selectinload(Certificate.student), selectinload(Certificate.site))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    site_id = to_int(args.get("site"))
    if site_id:
        stmt = stmt.where(Student.site_id == site_id)
    if args.get("status") == "valid":
        stmt = stmt.where(Certificate.revoked_at.is_(None))
    elif args.get("status") == "revoked":
        stmt = stmt.where(Certificate.revoked_at.is_not(None))
    return stmt


def replaced_certificate(cert: Certificate) -> Certificate | None:
    """The certificate `cert` replaced (revoked in its favour), if any: the newest one."""
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.replaced_by_id == cert.id)
        .order_by(Certificate.id.desc())
        .limit(1)
    )


def enrollment_certificates(enrollment: Enrollment) -> list[Certificate]:
    """Every certificate of an enrollment, newest first (for the credit page)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.enrollment_id == enrollment.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )
