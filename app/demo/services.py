"""Load the demo: every stage of the story, made through the same services the pages use."""

import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app.certificates.services import issue_certificates, pending_awards
from app.courses.models import CourseVersion, Item, ItemKind, Section
from app.courses.services import get_current_version, import_package
from app.credits.models import PriorCourse
from app.credits.services import award_credit
from app.demo.data import BIRTH_STATES, DEMO_PASSWORD, MOVE, PRIOR_COURSES, SITES, STAFF, STUDENTS
from app.enrollments.models import Enrollment, UnitProgress
from app.enrollments.services import assign_course
from app.extensions import db
from app.grading.services import grade_attempt, record_paper_scores, return_attempt
from app.guardians.services import link_guardian
from app.learning.approvals import request_approval
from app.learning.models import Attempt
from app.learning.scoring import save_response, submit_attempt, update_work_score
from app.learning.services import approve_unit_test, mark_lesson_read, start_unit_test
from app.moves.models import StudentMove
from app.moves.services import report_move
from app.prior_courses.services import add_prior_course
from app.sites.models import Site
from app.students.models import Student, StudentKind
from app.users.models import Role, User
from app.users.services import create_user

COURSE_CODES = ("ALG1A", "ENG9A", "USHISTA")


def demo_is_loaded() -> bool:
    return db.session.scalar(select(Site.id).where(Site.code == SITES[0]["code"])) is not None


def load_demo(seed: int = 2026) -> dict[str, int]:
    """Create the demo sites, people, enrollments and history. Flushes; the caller commits.

    :raises RuntimeError: when the demo is already loaded.
    """
    if demo_is_loaded():
        raise RuntimeError("The demo is already loaded.")
    rng = random.Random(seed)
    courses = _import_courses()
    sites = {row["code"]: _add(Site(**row)) for row in SITES}
    staff = {}
    for email, role, given, family, site_code, state, locale in STAFF:
        site = sites.get(site_code)
        staff[email] = create_user(
            email,
            DEMO_PASSWORD,
            Role(role),
            given,
            family,
            site_id=site.id if site else None,
            state_code=state or (site.state_code if site else None),
            locale=locale,
        )
    teachers = {u.site_id: u for u in staff.values() if u.role == Role.TEACHER}
    coordinators = {u.state_code: u for u in staff.values() if u.role == Role.COORDINATOR}
    counts = {"students": 0, "enrollments": 0}
    for n, row in enumerate(STUDENTS):
        given, family, site_code, kind, grade, stage, email, locale = row
        site = sites[site_code]
        student = _add_student(n, given, family, site, kind, grade, email, locale, rng)
        teacher = teachers[site.id]
        first, second = courses[n % 3], courses[(n + 1) % 3]
        target = date.today() + timedelta(days=60 + 7 * (n % 6))
        enrollment = assign_course(student, first, teacher, target)
        if n % 3 == 0:
            assign_course(student, second, teacher, target + timedelta(days=45))
            counts["enrollments"] += 1
        counts["students"] += 1
        counts["enrollments"] += 1
        coordinator = coordinators[site.state_code]
        STAGES[stage](enrollment, student, teacher, coordinator, rng)
    db.session.flush()
    counts["certificates"] = _issue_certificates(coordinators)
    counts.update(add_moves_and_prior_courses())
    counts["guardians"] = _add_guardian(staff["admin@example.org"])
    return counts


def _add_guardian(admin: User) -> int:
    """Ana García's mother follows her record (Spanish)."""
    create_user(
        "madre.garcia@example.org", DEMO_PASSWORD, Role.GUARDIAN, "Rosa", "García", locale="es"
    )
    ana = db.session.scalar(
        select(Student).where(Student.user_id == _user("ana.garcia@example.org").id)
    )
    link_guardian(ana, admin, "madre.garcia@example.org", "", "", "madre")
    return 1


def add_moves_and_prior_courses() -> dict[str, int]:
    """The demo's move notice and prior Mexican courses, each skipped when already there (so a
    demo loaded before they existed gets them, and a second run adds nothing)."""
    added = {"moves": 0, "prior_courses": 0}
    given, family, destination, days, reporter, note = MOVE
    student = db.session.scalar(
        select(Student).where(Student.given_name == given, Student.family_name == family)
    )
    if student is not None and not db.session.scalar(
        select(StudentMove.id).where(StudentMove.student_id == student.id).limit(1)
    ):
        report_move(
            student, _user(reporter), destination, None, date.today() + timedelta(days=days), note
        )
        added["moves"] += 1
    for email, entered_by, subject, level, year, sep, school, state, school_year in PRIOR_COURSES:
        student = db.session.scalar(select(Student).join(Student.user).where(User.email == email))
        if student is None or db.session.scalar(
            select(PriorCourse.id).where(
                PriorCourse.student_id == student.id, PriorCourse.subject == subject
            )
        ):
            continue
        add_prior_course(
            student,
            _user(entered_by),
            {
                "subject": subject,
                "level": level,
                "year": year,
                "sep_grade": sep,
                "school": school,
                "state_code": state,
                "school_year": school_year,
            },
        )
        added["prior_courses"] += 1
    return added


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _issue_certificates(coordinators: dict[str, User]) -> int:
    """Certificates for the demo's awards, except one left pending to show the coordinator's list."""
    issued = 0
    for coordinator in coordinators.values():
        awards = list(db.session.scalars(pending_awards(coordinator)))
        if coordinator.state_code == "US-TX" and awards:
            awards = awards[1:]
        if awards:
            issued += len(issue_certificates(awards, coordinator))
    return issued


def _add(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def _import_courses() -> list[CourseVersion]:
    for manifest in sorted(current_app.config["COURSES_DIR"].glob("*/course.toml")):
        import_package(manifest.parent)
    return [get_current_version(code) for code in COURSE_CODES]


def _add_student(n, given, family, site, kind, grade, email, locale, rng) -> Student:
    user = None
    if email:
        user = create_user(
            email,
            DEMO_PASSWORD,
            Role.STUDENT,
            given,
            family.split()[0],
            site_id=site.id,
            locale=locale,
        )
    born = date(2007 + n % 4, 1 + n % 12, 1 + (n * 7) % 28)
    curp = None
    if site.country == "MX" or n % 4 == 0:
        letters = (family[:2] + family.split()[-1][:1] + given[:1]).upper()
        letters = letters.translate(str.maketrans("ÁÉÍÓÚÑ", "AEIOUX"))
        sex = "M" if given.endswith("a") else "H"
        curp = (
            f"{letters}{born:%y%m%d}{sex}{BIRTH_STATES[n % len(BIRTH_STATES)]}"
            f"{rng.choice('BCDFGHJKLMNPRSTVZ')}{rng.choice('BCDFGHJKLMNPRSTVZ')}"
            f"{rng.choice('BCDFGHJKLMNPRSTVZ')}0{n % 10}"
        )
    student = Student(
        site_id=site.id,
        user_id=user.id if user else None,
        given_name=given,
        family_name=family,
        birth_date=born,
        kind=StudentKind(kind),
        grade_level=grade,
        msix_id=None if site.country == "MX" else f"{rng.randrange(10**11, 10**12)}",
        state_student_id=f"{site.state_code[3:]}{100000 + n}",
        curp=curp,
    )
    return _add(student)


def _units(enrollment: Enrollment) -> list[UnitProgress]:
    db.session.refresh(enrollment, ["units"])
    return list(enrollment.units)


def _read_and_practice(progress: UnitProgress, student: Student, share: float) -> None:
    for lesson in progress.unit.lessons:
        mark_lesson_read(progress, lesson.position)
    attempt = _attempt(progress, Section.PRACTICE)
    for i, item in enumerate(progress.unit.items_in(Section.PRACTICE)):
        save_response(attempt, item, _response(item, right=(i / 10) < share))
    update_work_score(attempt)


def _attempt(progress: UnitProgress, section: Section) -> Attempt:
    existing = db.session.scalar(
        select(Attempt).where(Attempt.unit_progress_id == progress.id, Attempt.section == section)
    )
    return existing or _add(Attempt(unit_progress=progress, section=section, number=1))


def _response(item: Item, right: bool) -> str:
    if item.kind == ItemKind.CHOICE:
        ids = [c["id"] for c in item.choices]
        return (
            item.answer["choice"] if right else next(i for i in ids if i != item.answer["choice"])
        )
    if item.kind == ItemKind.NUMERIC:
        value = float(item.answer["value"])
        return f"{value:g}" if right else f"{value + 7:g}"
    return (
        "I would solve it step by step: first I find what the question asks, then I show my "
        "work and check the result against the original problem."
        if right
        else "I don't know."
    )


def _take_test(progress, student, teacher, share_right: float, *, hand_in: bool = True) -> Attempt:
    """Approve, start, answer (a share right) and hand in a unit test, as the pages do."""
    approve_unit_test(progress, teacher)
    attempt = start_unit_test(progress, student)
    items = progress.unit.items_in(Section.TEST)
    for i, item in enumerate(items):
        save_response(attempt, item, _response(item, right=(i + 0.5) / len(items) <= share_right))
    if hand_in:
        submit_attempt(attempt, student.site_id)
    return attempt


def _grade(attempt: Attempt, teacher: User, share: float, feedback: str) -> None:
    """Score the open items: `share` of each item's points."""
    scores, notes = {}, {}
    for answer in attempt.answers:
        if answer.item.kind == ItemKind.OPEN and answer.points is None:
            scores[answer.item_id] = round(answer.item.points * share)
            notes[answer.item_id] = feedback
    grade_attempt(attempt, scores, notes, feedback, teacher)


def _pass_unit(progress, student, teacher, rng, quality: float = 0.85) -> None:
    _read_and_practice(progress, student, quality)
    attempt = _take_test(progress, student, teacher, quality)
    _grade(attempt, teacher, quality, "Clear explanation. / Explicación clara.")


def _stage_not_started(enrollment, student, teacher, coordinator, rng) -> None:
    if student.user is not None:  # has asked for the first unit test's approval
        request_approval(_units(enrollment)[0], student.user)


def _stage_in_progress(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    _pass_unit(units[0], student, teacher, rng, 0.9)
    _read_and_practice(units[1], student, 0.6)
    # A test started on one device and left open: it resumes anywhere.
    _take_test(units[1], student, teacher, 0.5, hand_in=False)


def _stage_awaiting(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    _pass_unit(units[0], student, teacher, rng, 0.8)
    _read_and_practice(units[1], student, 0.7)
    _take_test(units[1], student, teacher, 0.8)


def _stage_returned(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    _read_and_practice(units[0], student, 0.5)
    attempt = _take_test(units[0], student, teacher, 0.6)
    return_attempt(
        attempt,
        teacher,
        "Please explain each step of your answer to the open question. / "
        "Por favor explica cada paso de tu respuesta a la pregunta abierta.",
    )


def _stage_retake(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    _read_and_practice(units[0], student, 0.4)
    attempt = _take_test(units[0], student, teacher, 0.3)
    _grade(attempt, teacher, 0.25, "Review lesson 2 before the retake. / Repasa la lección 2.")


def _stage_paper(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    taken = date.today() - timedelta(days=20)
    for progress, (work, test) in zip(units[:2], ((88.0, 84.0), (75.0, 71.0)), strict=True):
        record_paper_scores(progress, teacher, work, test, taken, "Paper packet, summer session.")
    mark_lesson_read(units[2], 1)


def _stage_partial(enrollment, student, teacher, coordinator, rng) -> None:
    units = _units(enrollment)
    for progress, quality in zip(units[:3], (0.9, 0.75, 0.7), strict=True):
        _pass_unit(progress, student, teacher, rng, quality)
    award_credit(enrollment, coordinator)


def _stage_completed(enrollment, student, teacher, coordinator, rng) -> None:
    for progress in _units(enrollment):
        _pass_unit(progress, student, teacher, rng, rng.choice((0.8, 0.9, 1.0)))
    award_credit(enrollment, coordinator)


STAGES = {
    "not_started": _stage_not_started,
    "in_progress": _stage_in_progress,
    "awaiting": _stage_awaiting,
    "returned": _stage_returned,
    "retake": _stage_retake,
    "paper": _stage_paper,
    "partial": _stage_partial,
    "completed": _stage_completed,
}
