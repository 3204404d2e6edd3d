"""The program's own counts (Migrant Education Program figures).

Rules:
- students: the filtered students (with a course or term filter, those with such an enrollment);
- kind: secondary (grades 9-12, credit toward a diploma) or out-of-school youth (`Student.kind`);
- grade level: `Student.grade_level` (US grade), "not specified" when empty;
- state of origin: the state of birth in the CURP (characters 12-13, DOMAIN.md), as its
  ISO 3166-2 code; "born abroad" for NE; "not recorded" without a CURP;
- binational: students who moved between Mexico and the United States in the last 36 months (US
  definition): a move notice (not cancelled) from a site in one country to a place in the
  other, or a record received here from another installation in the other country;
- credits earned toward graduation: the current credit award of each enrollment (the newest
  supersedes), made here or carried from another installation, summed per credit system.
"""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from app.common import utcnow
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment
from app.extensions import db
from app.moves.models import InboundStatus, InboundTransfer, MoveStatus, StudentMove
from app.reports.filters import (
    ReportFilter,
    award_candidates,
    dated,
    enrollment_where,
    narrows_enrollments,
    student_where,
)
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.users.models import User

BINATIONAL_MONTHS = 36
# CURP state-of-birth letters -> ISO 3166-2 (RENAPO's table); NE is born abroad.
CURP_STATES = {
    "AS": "MX-AGU",
    "BC": "MX-BCN",
    "BS": "MX-BCS",
    "CC": "MX-CAM",
    "CL": "MX-COA",
    "CM": "MX-COL",
    "CS": "MX-CHP",
    "CH": "MX-CHH",
    "DF": "MX-CMX",
    "DG": "MX-DUR",
    "GT": "MX-GUA",
    "GR": "MX-GRO",
    "HG": "MX-HID",
    "JC": "MX-JAL",
    "MC": "MX-MEX",
    "MN": "MX-MIC",
    "MS": "MX-MOR",
    "NT": "MX-NAY",
    "NL": "MX-NLE",
    "OC": "MX-OAX",
    "PL": "MX-PUE",
    "QT": "MX-QUE",
    "QR": "MX-ROO",
    "SP": "MX-SLP",
    "SL": "MX-SIN",
    "SR": "MX-SON",
    "TC": "MX-TAB",
    "TS": "MX-TAM",
    "TL": "MX-TLA",
    "VZ": "MX-VER",
    "YN": "MX-YUC",
    "ZS": "MX-ZAC",
}
BORN_ABROAD, NOT_RECORDED = "abroad", "none"


def students_where(user: User, f: ReportFilter):
    clause = student_where(user, f)
    if narrows_enrollments(f):
        enrolled = select(Enrollment.student_id).where(enrollment_where(f))
        clause = and_(clause, Student.id.in_(enrolled))
    return clause


def student_counts(user: User, f: ReportFilter):
    """Students by kind, by grade level and by state of origin, from one grouped query."""
    letters = func.substr(Student.curp, 12, 2)
    rows = db.session.execute(
        select(Student.kind, Student.grade_level, letters, func.count())
        .where(students_where(user, f))
        .group_by(Student.kind, Student.grade_level, letters)
    )
    kinds = dict.fromkeys((k.value for k in StudentKind), 0)
    grades: dict = {}
    origins: dict[str, int] = {}
    for kind, grade, code, count in rows:
        kinds[StudentKind(kind).value] += count
        grades[grade] = grades.get(grade, 0) + count
        key = NOT_RECORDED if code is None else CURP_STATES.get(code, BORN_ABROAD)
        origins[key] = origins.get(key, 0) + count
    return (
        kinds,
        sorted(grades.items(), key=lambda item: (item[0] is None, item[0] or 0)),
        sorted(origins.items(), key=lambda item: (-item[1], item[0])),
    )


def binational_count(user: User, f: ReportFilter) -> int:
    since = utcnow() - timedelta(days=BINATIONAL_MONTHS * 365 // 12)
    from_site = select(Site.state_code).where(Site.id == StudentMove.from_site_id)
    moved = select(StudentMove.student_id).where(
        StudentMove.status != MoveStatus.CANCELLED,
        StudentMove.move_date >= since.date(),
        func.substr(StudentMove.destination_code, 1, 2)
        != func.substr(from_site.scalar_subquery(), 1, 2),
    )
    received = (
        select(InboundTransfer.student_id)
        .join(Student, Student.id == InboundTransfer.student_id)
        .join(Site, Site.id == Student.site_id)
        .where(
            InboundTransfer.status == InboundStatus.RECEIVED,
            InboundTransfer.move_date >= since.date(),
            func.substr(InboundTransfer.origin_state, 1, 2) != func.substr(Site.state_code, 1, 2),
        )
    )
    return db.session.scalar(
        select(func.count())
        .select_from(Student)
        .where(students_where(user, f), or_(Student.id.in_(moved), Student.id.in_(received)))
    )


def credits_earned(user: User, f: ReportFilter) -> dict:
    # From the candidate awards (a state's few, by the facts' award index) to their enrollment
    # and student, each by primary key.
    rows = db.session.execute(
        select(
            CreditAward.credit_system,
            func.count(func.distinct(Enrollment.student_id)),
            func.sum(CreditAward.credit),
        )
        .select_from(CreditAward)
        .join(Enrollment, Enrollment.id == CreditAward.enrollment_id)
        .join(Student, Student.id == Enrollment.student_id)
        .where(
            award_candidates(user, f),
            student_where(user, f),
            enrollment_where(f),
            CreditAward.superseded_at.is_(None),
            dated(CreditAward.awarded_at, f),
        )
        .group_by(CreditAward.credit_system)
    )
    return {system: (students, Decimal(str(total or 0))) for system, students, total in rows}


def program_report(user: User, f: ReportFilter) -> dict:
    """Every figure of the program report (3 queries)."""
    kinds, grades, origins = student_counts(user, f)
    return {
        "kinds": kinds,
        "total": sum(kinds.values()),
        "grades": grades,
        "origins": origins,
        "binational": binational_count(user, f),
        "credits": credits_earned(user, f),
    }
