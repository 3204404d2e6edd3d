"""The official transcript: one signed CLR 2.0 ClrCredential bundling each course's achievement
and result (the current award of each enrollment: a newer partial award supersedes the older),
and its bilingual PDF. Every issue is in the audit trail."""

import io
import json
import uuid
from datetime import UTC

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import selectinload, undefer

from app.audit.services import record_event
from app.certificates.credential import build_credential, sign_credential, student_identifiers
from app.certificates.documents import column_labels
from app.certificates.facts import certificate_facts
from app.certificates.integrity import standard_form
from app.certificates.models import Certificate
from app.common import utcnow
from app.courses.models import CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import DomainError
from app.extensions import db
from app.installation import issuer_id
from app.pdf import render_pdf
from app.students.models import Student
from app.users.models import User

CLR_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
TRANSCRIPT_FILE = "transcript.json"
PDF_OPTIONS = {
    "page-size": "Letter",
    "orientation": "Portrait",
    "margin-top": "12mm",
    "margin-bottom": "12mm",
    "margin-left": "12mm",
    "margin-right": "12mm",
    "no-outline": None,
}


class TranscriptError(DomainError):
    """No transcript can be issued; the message says why."""

    status = 409


def current_awards(student: Student) -> list[CreditAward]:
    """Each enrollment's current credit award (older ones are superseded), oldest first."""
    return list(
        db.session.scalars(
            select(CreditAward)
            .join(CreditAward.enrollment)
            .where(Enrollment.student_id == student.id, CreditAward.superseded_at.is_(None))
            .options(
                selectinload(CreditAward.site),
                selectinload(CreditAward.awarded_by),
                selectinload(CreditAward.enrollment).options(
                    selectinload(Enrollment.student),
                    selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
                    selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
                ),
            )
            .order_by(CreditAward.awarded_at, CreditAward.id)
        )
    )


def _certified(awards: list[CreditAward]) -> dict[int, Certificate]:
    """The valid certificate of each award that has one (its credential is embedded as is)."""
    certs = db.session.scalars(
        select(Certificate)
        .where(
            Certificate.credit_award_id.in_([a.id for a in awards]),
            Certificate.revoked_at.is_(None),
        )
        .options(undefer(Certificate.credential))
    )
    return {c.credit_award_id: c for c in certs}


def _coordinator(award: CreditAward) -> str:
    return award.awarded_by_name or award.awarded_by.full_name


def _course_credential(award: CreditAward, cert: Certificate | None, facts: dict, issued: str):
    if cert is not None:
        return standard_form(cert.credential)
    credential = build_credential(f"award {award.id}", "", issued, facts)
    credential["id"] = f"urn:uuid:{uuid.uuid4()}"
    credential.pop("credentialStatus", None)  # no certificate: nothing to revoke on its own
    credential["evidence"] = [{"type": ["Evidence"], "name": f"Credit award {award.id}"}]
    return sign_credential(credential, issued)


def build_transcript(student: Student, issued: str) -> tuple[dict, list[dict]]:
    """The signed ClrCredential, and the facts of each course in it (for the PDF).

    :raises TranscriptError: when the student has no credit award yet.
    """
    awards = current_awards(student)
    if not awards:
        raise TranscriptError(_("%(name)s has no credit awarded yet.", name=student.full_name))
    certified = _certified(awards)
    credentials, facts = [], []
    for award in awards:
        facts.append(certificate_facts(award, _coordinator(award)))
        credentials.append(_course_credential(award, certified.get(award.id), facts[-1], issued))
    student_facts = facts[0]["student"]
    name = f"{student.given_name} {student.family_name}"
    transcript = {
        "@context": CLR_CONTEXTS,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"Official transcript · Certificado oficial de estudios — {name}",
        "issuer": {
            "id": issuer_id(),
            "type": ["Profile"],
            "name": current_app.config["INSTALLATION_NAME"],
        },
        "validFrom": issued,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": student_identifiers(student_facts),
            "achievement": [c["credentialSubject"]["achievement"] for c in credentials],
            "verifiableCredential": credentials,
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "JsonSchema"}],
    }
    return sign_credential(transcript, issued), facts


def issue_transcript(student: Student, user: User, form: str) -> tuple[dict, list[dict]]:
    """The student's official transcript, signed now; its issue is written to the audit trail."""
    issued = utcnow().replace(microsecond=0, tzinfo=UTC).isoformat().replace("+00:00", "Z")
    transcript, facts = build_transcript(student, issued)
    record_event(
        user,
        "transcript.issued",
        student,
        student_id=student.id,
        form=form,
        courses=len(facts),
        transcript_id=transcript["id"],
    )
    db.session.flush()
    return transcript, facts


def transcript_labels(language: str) -> dict:
    with force_locale(language):
        return {
            **column_labels(language),
            "title": _("Official transcript"),
            "student": _("Student"),
            "course": _("Course"),
            "credit": _("Credit awarded"),
            "full": _("full"),
            "issued": _("Issued"),
            "id": _("Transcript ID"),
            "signed": _(
                "The signed electronic transcript (CLR 2.0, eddsa-rdfc-2022) is attached to "
                "this PDF as transcript.json; any change to it breaks the signature."
            ),
        }


def transcript_pdf(transcript: dict, facts: list[dict]) -> bytes:
    """The bilingual PDF of a transcript, with the signed ClrCredential attached."""
    labels = {language: transcript_labels(language) for language in ("en", "es")}
    html = render_template(
        "certificates/transcript.html", transcript=transcript, courses=facts, t=labels
    )
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(render_pdf(html, PDF_OPTIONS))))
    writer.add_metadata({"/Title": transcript["name"], "/Subject": transcript["id"]})
    writer.add_attachment(TRANSCRIPT_FILE, json.dumps(transcript, ensure_ascii=False).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
