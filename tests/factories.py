"""Test data builders (`make_*`): real rows through the real services where they exist."""

from datetime import datetime
from itertools import count

from sqlalchemy import func, select

from app.courses.models import Course, CourseVersion, Item, ItemKind, Lesson, Section, Unit
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.learning.models import Attempt
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.users.models import Role, User

PASSWORD = "correct horse 1"
# Right answers to the factory course's unit test: t1 (choice "b", 1 point), t2 (numeric 12,
# 1 point), t3 (open, 2 points: graded by a teacher).
RIGHT = ("b", "12", "Because 6 + 6 is 12.")
_seq = count(1)


def make_site(state_code: str = "US-TX", code: str | None = None, name: str | None = None) -> Site:
    n = next(_seq)
    site = Site(code=code or f"SITE{n}", name=name or f"Site {n}", state_code=state_code)
    db.session.add(site)
    db.session.flush()
    return site


def make_user(role: Role, site: Site | None = None, state_code: str | None = None, **kw) -> User:
    n = next(_seq)
    user = User(
        email=kw.pop("email", f"{role.value}{n}@example.org"),
        role=role,
        given_name=kw.pop("given_name", role.value.title()),
        family_name=kw.pop("family_name", f"N{n}"),
        site_id=site.id if site else None,
        state_code=state_code,
        **kw,
    )
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    return user


def make_student(site: Site, with_user: bool = True, **kw) -> Student:
    n = next(_seq)
    user = make_user(Role.STUDENT, site) if with_user else None
    student = Student(
        site_id=site.id,
        user_id=user.id if user else None,
        given_name=kw.pop("given_name", user.given_name if user else "Ana"),
        family_name=kw.pop("family_name", user.family_name if user else f"S{n}"),
        kind=kw.pop("kind", StudentKind.SECONDARY),
        grade_level=kw.pop("grade_level", 10),
        **kw,
    )
    db.session.add(student)
    db.session.flush()
    return student


def make_course_version(
    code: str | None = None, version: str = "1.0.0", units: int = 5, credit: float = 0.5
) -> CourseVersion:
    """A course version whose every unit has a lesson, practice and a mixed unit test:
    test items t1 (choice, answer b, 1 pt), t2 (numeric 12 ± 0.01, 1 pt), t3 (open, 2 pts)."""
    code = code or f"C{next(_seq)}"
    course = db.session.query(Course).filter_by(code=code).one_or_none() or Course(code=code)
    db.session.add(course)
    cv = CourseVersion(
        course=course,
        version=version,
        subject="mathematics",
        title_en=f"Course {code}",
        title_es=f"Curso {code}",
        credit=credit,
        hours=90,
        unit_count=units,
        content_hash="0" * 64,
    )
    db.session.add(cv)
    for number in range(1, units + 1):
        unit = Unit(
            course_version=cv, number=number, title_en=f"Unit {number}", title_es=f"Unidad {number}"
        )
        db.session.add(unit)
        unit.lessons.append(
            Lesson(
                position=1,
                slug="intro",
                title_en="Intro",
                title_es="Introducción",
                body_en="# Hello\n\nRead **this**.",
                body_es="# Hola\n\nLee **esto**.",
            )
        )
        unit.items.extend(
            [
                _choice(Section.PRACTICE, "p1", 1),
                _choice(Section.TEST, "t1", 2),
                Item(
                    section=Section.TEST,
                    key="t2",
                    position=3,
                    kind=ItemKind.NUMERIC,
                    points=1,
                    prompt_en="6 + 6 = ?",
                    prompt_es="6 + 6 = ?",
                    answer={"value": 12, "tolerance": 0.01},
                ),
                Item(
                    section=Section.TEST,
                    key="t3",
                    position=4,
                    kind=ItemKind.OPEN,
                    points=2,
                    prompt_en="Explain.",
                    prompt_es="Explica.",
                    answer={"rubric_en": "Clear", "rubric_es": "Clara"},
                ),
            ]
        )
    db.session.flush()
    return cv


def _choice(section: Section, key: str, position: int) -> Item:
    return Item(
        section=section,
        key=key,
        position=position,
        kind=ItemKind.CHOICE,
        points=1,
        prompt_en="Pick b",
        prompt_es="Elige b",
        choices=[{"id": "a", "en": "A", "es": "A"}, {"id": "b", "en": "B", "es": "B"}],
        answer={"choice": "b"},
    )


def make_enrollment(student: Student, cv: CourseVersion, by: User | None = None) -> Enrollment:
    """An enrollment with one not-started UnitProgress per unit (as assign_course makes)."""
    enrollment = Enrollment(student=student, course_version=cv, assigned_by=by)
    db.session.add(enrollment)
    for unit in cv.units:
        db.session.add(UnitProgress(enrollment=enrollment, unit=unit, unit_number=unit.number))
    db.session.flush()
    return enrollment


def make_world() -> dict:
    """Sites tx1, tx2 (US-TX) and nd (US-ND), with staff and a student at each."""
    tx1, tx2, nd = make_site("US-TX"), make_site("US-TX"), make_site("US-ND")
    world = {"tx1": tx1, "tx2": tx2, "nd": nd}
    for key, site in (("tx1", tx1), ("tx2", tx2), ("nd", nd)):
        world[f"teacher_{key}"] = make_user(Role.TEACHER, site)
        world[f"student_{key}"] = make_student(site)
    world["coord_tx"] = make_user(Role.COORDINATOR, state_code="US-TX")
    world["coord_tx1"] = make_user(Role.COORDINATOR, tx1, state_code="US-TX")
    world["coord_nd"] = make_user(Role.COORDINATOR, state_code="US-ND")
    world["admin"] = make_user(Role.ADMIN)
    world["course"] = make_course_version()
    return world


def teacher_of(student: Student) -> User:
    """A teacher at the student's site."""
    return db.session.query(User).filter_by(role=Role.TEACHER, site_id=student.site_id).first()


def make_practice_attempt(progress: UnitProgress) -> Attempt:
    attempt = Attempt(unit_progress=progress, section=Section.PRACTICE, number=1)
    db.session.add(attempt)
    db.session.flush()
    return attempt


def make_submitted_test(
    progress: UnitProgress, responses=RIGHT, submitted_at: datetime | None = None
) -> Attempt:
    """A handed-in test attempt answering t1, t2, t3 with `responses` (awaiting grading), as the
    student pages make it (scoring services); `submitted_at` backdates it."""
    from app.learning.scoring import save_response, submit_attempt

    number = 1 + db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.unit_progress_id == progress.id, Attempt.section == Section.TEST)
    )
    attempt = Attempt(unit_progress=progress, section=Section.TEST, number=number)
    db.session.add(attempt)
    db.session.flush()
    for item, response in zip(progress.unit.items_in(Section.TEST), responses, strict=True):
        save_response(attempt, item, response)
    db.session.refresh(attempt, ["answers"])
    submit_attempt(attempt, progress.enrollment.student.site_id)
    if submitted_at is not None:
        attempt.submitted_at = submitted_at
        db.session.flush()
    return attempt


def pass_unit(progress: UnitProgress, open_points: float = 2.0) -> Attempt:
    """Hand in a test with t1 and t2 right and grade the open item (default: full marks)."""
    from app.learning.scoring import finalize_attempt

    attempt = make_submitted_test(progress)
    for answer in attempt.answers:
        if answer.points is None:
            answer.points = open_points
    finalize_attempt(attempt, teacher_of(progress.enrollment.student))
    return attempt


def make_certificate(award, coordinator: User):
    """A certificate record for `award` on a blank print-run page (no wkhtmltopdf: for access
    tests; tests/certificates render real ones)."""
    import io

    from pypdf import PdfWriter

    from app.certificates.credential import build_credential
    from app.certificates.facts import certificate_facts
    from app.certificates.models import Certificate, CertificatePrint
    from app.certificates.services import new_code

    blank = PdfWriter()
    blank.add_blank_page(792, 612)
    pdf = io.BytesIO()
    blank.write(pdf)
    print_run = CertificatePrint(created_by_id=coordinator.id, page_count=1, pdf=pdf.getvalue())

    code = new_code()
    facts = certificate_facts(award, coordinator.full_name)
    cert = Certificate(
        serial=f"T-{code[:8]}",
        code=code,
        credit_award_id=award.id,
        enrollment_id=award.enrollment_id,
        student_id=award.enrollment.student_id,
        site_id=award.site_id,
        state_code=award.state_code,
        issued_by_id=coordinator.id,
        facts=facts,
        credential=build_credential(f"T-{code[:8]}", code, "2026-01-01T00:00:00Z", facts),
        print_run=print_run,
        page_number=1,
    )
    db.session.add(cert)
    db.session.flush()
    return cert
