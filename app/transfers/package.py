"""Build and sign a student's transfer package (schema: transfer-package.schema.json, here)."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.certificates.credential import verify_url
from app.certificates.keys import current_signing_key
from app.certificates.models import Certificate
from app.certificates.signing import (
    public_key_multibase,
    sign_document,
)
from app.common import utcnow
from app.courses.models import CourseVersion, Section
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.installation import issuer_id, key_id
from app.learning.models import Attempt
from app.students.models import Student


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _site(site) -> dict | None:
    if site is None:
        return None
    return {"code": site.code.split("@")[0], "name": site.name, "state_code": site.state_code}


def build_package(student: Student) -> dict:
    """The student's whole record as a signed transfer package."""
    enrollments = db.session.scalars(
        select(Enrollment)
        .where(Enrollment.student_id == student.id)
        .order_by(Enrollment.id)
        .options(
            selectinload(Enrollment.course_version).selectinload(CourseVersion.course),
            selectinload(Enrollment.units).selectinload(UnitProgress.completed_site),
        )
    ).all()
    ids = [e.id for e in enrollments]
    tests = db.session.scalars(
        select(Attempt)
        .join(Attempt.unit_progress)
        .where(UnitProgress.enrollment_id.in_(ids), Attempt.section == Section.TEST)
        .options(selectinload(Attempt.graded_by))
        .order_by(Attempt.number)
    ).all()
    awards = db.session.scalars(
        select(CreditAward)
        .where(CreditAward.enrollment_id.in_(ids))
        .order_by(CreditAward.id)
        .options(selectinload(CreditAward.site), selectinload(CreditAward.awarded_by))
    ).all()
    certs = db.session.scalars(
        select(Certificate).where(Certificate.enrollment_id.in_(ids)).order_by(Certificate.id)
    ).all()
    now = utcnow().replace(microsecond=0).isoformat() + "Z"
    package = {
        "format": "puente-transfer",
        "version": 1,
        "id": str(uuid.uuid4()),
        "exported_at": now,
        "issuer": issuer_id(),
        "source_site": _site(student.site),
        "student": {
            "given_name": student.given_name,
            "family_name": student.family_name,
            "second_family_name": student.second_family_name,
            "birth_date": _iso(student.birth_date),
            "kind": student.kind.value,
            "grade_level": student.grade_level,
            "msix_id": student.msix_id,
            "state_student_id": student.state_student_id,
            "curp": student.curp,
        },
        "enrollments": [_enrollment(e, tests, awards, certs) for e in enrollments],
    }
    key = current_signing_key()
    return sign_document(package, key.private, key_id(key.name), now)


def _enrollment(enrollment, tests, awards, certs) -> dict:
    version = enrollment.course_version
    return {
        "course": {
            "code": version.course.code,
            "version": version.version,
            "content_hash": version.content_hash,
            "title_en": version.title_en,
            "title_es": version.title_es,
        },
        "status": enrollment.status.value,
        "target_date": _iso(enrollment.target_date),
        "assigned_at": _iso(enrollment.assigned_at),
        "started_at": _iso(enrollment.started_at),
        "completed_at": _iso(enrollment.completed_at),
        "units": [
            {
                "number": u.unit_number,
                "status": u.status.value,
                "work_percent": u.work_percent,
                "best_test_percent": u.best_test_percent,
                "test_attempts": u.test_attempts,
                "lessons_read": u.lessons_read,
                "completed_at": _iso(u.completed_at),
                "completed_site": _site(u.completed_site),
                "tests": [
                    {
                        "number": a.number,
                        "mode": a.mode.value,
                        "status": a.status.value,
                        "percent": a.percent,
                        "submitted_at": _iso(a.submitted_at),
                        "graded_at": _iso(a.graded_at),
                        "graded_by": a.graded_by.full_name if a.graded_by else None,
                    }
                    for a in tests
                    if a.unit_progress_id == u.id
                ],
            }
            for u in enrollment.units
        ],
        "credit_awards": [
            {
                "credit": float(a.credit),  # a JSON number
                "credit_system": a.credit_system,
                "partial": a.is_partial,
                "grade_percent": a.grade_percent,
                "letter": a.letter,
                "sep_grade": a.sep_grade,
                "units_passed": a.units_passed,
                "unit_count": a.unit_count,
                "state_code": a.state_code,
                "awarded_at": _iso(a.awarded_at),
                "current": a.superseded_at is None,
                "site": _site(a.site),
                "awarded_by": a.awarded_by_name or a.awarded_by.full_name,
            }
            for a in awards
            if a.enrollment_id == enrollment.id
        ],
        "certificates": [
            {"serial": c.serial, "verify": verify_url(c.code), "status": c.status.value}
            for c in certs
            if c.enrollment_id == enrollment.id
        ],
    }


def own_public_key() -> str:
    return public_key_multibase(current_signing_key().private)
