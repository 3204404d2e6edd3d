"""Import a OneRoster set: check everything first, then write it all in one transaction.

The files are read as streams, once for the checks and again for the writing, which goes a
batch of rows at a time: memory holds the keys of a national set, never its rows."""

import hashlib
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import DateTime, insert, literal, select, update

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import CourseVersion, Unit
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress, UnitStatus
from app.errors import DomainError
from app.extensions import db
from app.moves.services import move_student
from app.rosters.bulk import among, bulk_writing, insert_rows
from app.rosters.files import Problem, RosterFiles
from app.rosters.models import RosterClass, RosterImport
from app.rosters.plan import Plan, iter_enrollments, iter_students, plan_roster
from app.rosters.resolve import chunks, existing_enrollments, resolve_plan
from app.search import name_key
from app.sites.models import Site
from app.students.models import Student
from app.users.models import User


class RosterError(DomainError):
    """The roster cannot be imported; `problems` says where and why (nothing was written)."""

    status = 400

    def __init__(self, problems: list[Problem]):
        super().__init__(_("Nothing was imported: the roster has the problems listed."))
        self.problems = problems


@dataclass
class RosterCounts:
    sites_created: int = 0
    sites_matched: int = 0
    students_created: int = 0
    students_updated: int = 0
    enrollments_created: int = 0
    enrollments_kept: int = 0  # already there (active in the course, or this version taken)
    enrollments_withdrawn: int = 0  # tobedeleted, or missing from a bulk set (work is kept)
    staff_matched: int = 0
    staff_unmatched: int = 0
    rows_skipped: int = 0  # tobedeleted rows, guardians, users with no role here


def import_roster(
    files: RosterFiles,
    user: User,
    file_name: str,
    data: bytes,
    state_code: str = "",
    progress=None,
) -> RosterImport:
    """Check the whole set, then write sites, students and enrollments; all or nothing.

    `state_code` is the state of schools no parent org (nor existing site) places; `progress`,
    when given, is called with "writing" once every check has passed (a job shows it).

    :raises RosterError: with every problem found (file, line, field, reason).
    """
    plan = plan_roster(files)
    if not plan.problems:
        resolve_plan(plan, files, user, state_code)
    if plan.problems:
        raise RosterError(plan.problems)
    if progress is not None:
        progress("writing")  # nothing is written before this point
    counts = RosterCounts(rows_skipped=sum(plan.skipped.values()))
    with bulk_writing():
        site_ids = _write_sites(plan, counts)
        student_ids = _write_students(plan, files, site_ids, counts)
        _link_staff(plan, counts)
        _write_classes(plan, site_ids)
        _write_enrollments(plan, files, student_ids, user, counts)
        withdrawn = _withdraw_enrollments(plan, files, site_ids, counts)
    record = RosterImport(
        imported_by_id=user.id,
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        counts=asdict(counts),
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        user,
        "roster.imported",
        record,
        file=record.file_name,
        withdrawn_enrollment_ids=withdrawn[:1000],
        **asdict(counts),
    )
    return record


def _write_sites(plan: Plan, counts: RosterCounts) -> dict[str, int]:
    site_ids = {}
    for school in plan.schools.values():
        if school.site_id is None:
            site = Site(
                code=school.code,
                name=school.name,
                state_code=school.state_code,
                roster_id=school.sourced_id,
            )
            db.session.add(site)
            db.session.flush()
            counts.sites_created += 1
            site_ids[school.sourced_id] = site.id
        else:
            db.session.execute(
                update(Site)
                .where(Site.id == school.site_id, Site.roster_id.is_(None))
                .values(roster_id=school.sourced_id)
            )
            counts.sites_matched += 1
            site_ids[school.sourced_id] = school.site_id
    return site_ids


def _student_values(student, site_ids: dict[str, int]) -> dict:
    values = {
        "roster_id": student.sourced_id,
        "site_id": site_ids[student.school],
        "given_name": student.given_name,
        "family_name": student.family_name,
        "second_family_name": student.second_family_name,
        "kind": student.kind.value,
        "grade_level": student.grade_level,
        "state_student_id": student.state_student_id,
    }
    # Identifiers and the date of birth the roster leaves out are kept, not erased.
    for name in ("birth_date", "msix_id", "curp", "sex"):
        if getattr(student, name) is not None:
            values[name] = getattr(student, name)
    return values


STUDENT_COLUMNS = (
    "roster_id",
    "site_id",
    "given_name",
    "family_name",
    "kind",
    "grade_level",
    "state_student_id",
    "birth_date",
    "msix_id",
    "curp",
    "second_family_name",
    "sex",
)


STUDENT_INSERT = ("created_at", "search_name", "user_id") + STUDENT_COLUMNS


def _write_students(
    plan: Plan, files: RosterFiles, site_ids: dict[str, int], counts: RosterCounts
) -> dict[str, int]:
    """Insert new students and update matched ones that changed, a batch at a time; returns
    sourcedId -> id."""
    ids = dict(plan.matched)
    moved = []
    now = utcnow()
    for batch in chunks(iter_students(files, plan)):
        changed, batch_moved = _changed_students([s for s in batch if s.student_id], site_ids)
        if changed:
            db.session.execute(update(Student), changed)
        counts.students_updated += len(changed)
        moved += batch_moved
        new = [s for s in batch if not s.student_id]
        if not new:
            continue
        insert_rows(
            Student.__table__,
            STUDENT_INSERT,
            (
                (
                    now,
                    name_key(s.given_name, s.family_name, s.second_family_name),
                    None,
                    s.sourced_id,
                    site_ids[s.school],
                    s.given_name,
                    s.family_name,
                    s.kind.value,
                    s.grade_level,
                    s.state_student_id,
                    s.birth_date,
                    s.msix_id,
                    s.curp,
                    s.second_family_name,
                    s.sex,
                )
                for s in new
            ),
        )
        ids.update(
            db.session.execute(
                select(Student.roster_id, Student.id).where(
                    among(Student.roster_id, [s.sourced_id for s in new])
                )
            ).all()
        )
        counts.students_created += len(new)
    for student_id, site_id in moved:
        move_student(db.session.get(Student, student_id), db.session.get(Site, site_id))
    return ids


def _changed_students(students: list, site_ids: dict[str, int]) -> tuple[list[dict], list]:
    """Matched students whose record differs from the roster, and those it moves to another site."""
    matched = {s.student_id: _student_values(s, site_ids) for s in students}
    if not matched:
        return [], []
    columns = [Student.id] + [getattr(Student, name) for name in STUDENT_COLUMNS]
    changed, moved = [], []
    for row in db.session.execute(select(*columns).where(among(Student.id, matched))):
        values = matched[row.id]
        _keep_split_surnames(values, row)
        if any(getattr(row, name) != value for name, value in values.items()):
            merged = {name: getattr(row, name) for name in STUDENT_COLUMNS} | values
            search_name = name_key(
                merged["given_name"], merged["family_name"], merged["second_family_name"]
            )
            changed.append({"id": row.id, **values, "search_name": search_name})
        if row.site_id != values["site_id"]:
            moved.append((row.id, values["site_id"]))
    return changed, moved


def _keep_split_surnames(values: dict, row) -> None:
    """A roster that gives both surnames in familyName ("García López") leaves a record that
    holds them apart (García / López) as it is; a roster with no second surname keeps it."""
    if values["second_family_name"] is None:
        del values["second_family_name"]
        if (
            row.second_family_name
            and values["family_name"] == f"{row.family_name} {row.second_family_name}"
        ):
            values["family_name"] = row.family_name


def _write_classes(plan: Plan, site_ids: dict[str, int]) -> None:
    """Remember each class's course, so a later delta's enrollments find it."""
    classes = {k: c for k, c in plan.classes.items() if k not in plan.earlier_class_ids}
    known = {}
    for batch in chunks(classes):
        known.update(
            {
                r.sourced_id: r
                for r in db.session.scalars(
                    select(RosterClass).where(among(RosterClass.sourced_id, batch))
                )
            }
        )
    for sourced_id, cls in classes.items():
        row = known.get(sourced_id) or RosterClass(sourced_id=sourced_id)
        row.title, row.site_id, row.course_id = (
            cls.title or sourced_id,
            site_ids[cls.school],
            cls.course_id,
        )
        db.session.add(row)
    db.session.flush()


def _withdraw_enrollments(
    plan: Plan, files: RosterFiles, site_ids: dict[str, int], counts: RosterCounts
) -> list[int]:
    """Withdraw (never delete) the active roster enrollments marked tobedeleted and, for a bulk
    enrollments.csv, those of the set's schools it no longer lists."""
    ids = set()
    for batch in chunks(plan.withdrawn):
        ids.update(
            db.session.scalars(
                select(Enrollment.id).where(
                    among(Enrollment.roster_id, batch), Enrollment.status == EnrollmentStatus.ACTIVE
                )
            )
        )
    if files.has("enrollments.csv") and not plan.is_delta("enrollments.csv") and site_ids:
        rows = db.session.execute(
            select(Enrollment.id, Enrollment.roster_id)
            .join(Student)
            .where(
                Enrollment.roster_id.is_not(None),
                Enrollment.status == EnrollmentStatus.ACTIVE,
                among(Student.site_id, set(site_ids.values())),
            )
        )
        ids.update(i for i, roster_id in rows if roster_id not in plan.enrollment_ids)
    now = utcnow()
    for batch in chunks(sorted(ids)):
        db.session.execute(
            update(Enrollment)
            .where(among(Enrollment.id, batch))
            .values(status=EnrollmentStatus.WITHDRAWN, completed_at=now)
        )
    counts.enrollments_withdrawn = len(ids)
    return sorted(ids)


def _link_staff(plan: Plan, counts: RosterCounts) -> None:
    for sourced_id, user_id in plan.staff_ids.items():
        db.session.execute(
            update(User)
            .where(User.id == user_id, User.roster_id.is_(None))
            .values(roster_id=sourced_id)
        )
    counts.staff_matched = len(plan.staff_ids)
    counts.staff_unmatched = len(plan.staff) - len(plan.staff_ids)


ENROLLMENT_INSERT = (
    "student_id",
    "course_version_id",
    "assigned_by_id",
    "assigned_at",
    "target_date",
    "status",
    "roster_id",
)
PROGRESS_INSERT = (
    "enrollment_id",
    "unit_id",
    "unit_number",
    "status",
    "lessons_read",
    "test_attempts",
    "updated_at",
)


def _write_enrollments(
    plan: Plan, files: RosterFiles, student_ids: dict[str, int], user: User, counts: RosterCounts
) -> None:
    """One enrollment per student and course (pinned to the current version), one row per unit;
    a batch at a time, each batch checked against the enrollments its students already have."""
    versions = {c.course_version_id for c in plan.classes.values()}
    units: dict[int, list[tuple[int, int]]] = {}
    for unit in db.session.scalars(select(Unit).where(Unit.course_version_id.in_(versions))):
        units.setdefault(unit.course_version_id, []).append((unit.id, unit.number))
    courses = dict(
        db.session.execute(
            select(CourseVersion.id, CourseVersion.course_id).where(CourseVersion.id.in_(versions))
        ).all()
    )
    now = utcnow()
    blocked = Blocked()
    for batch in chunks(iter_enrollments(files, plan)):
        entries = [
            (e, student_ids.get(e.student) or plan.earlier_student_ids[e.student]) for e in batch
        ]
        # Only students who were here before the import can have enrollments already.
        blocked.load(
            {
                student_id
                for entry, student_id in entries
                if entry.student in plan.matched or entry.student in plan.earlier_student_ids
            }
        )
        rows = []
        for entry, student_id in entries:
            version_id = plan.classes[entry.class_id].course_version_id
            if not blocked.take(student_id, courses[version_id], version_id):
                counts.enrollments_kept += 1
                continue
            teacher = plan.staff_ids.get(plan.class_teacher.get(entry.class_id, ""), user.id)
            rows.append(
                (
                    student_id,
                    version_id,
                    teacher,
                    now,
                    entry.target_date,
                    EnrollmentStatus.ACTIVE.value,
                    entry.sourced_id or None,
                )
            )
        if not rows:
            continue
        insert_rows(Enrollment.__table__, ENROLLMENT_INSERT, rows)
        wanted = {(row[0], row[1]) for row in rows}
        created = db.session.execute(
            select(Enrollment.id, Enrollment.student_id, Enrollment.course_version_id).where(
                among(Enrollment.student_id, {row[0] for row in rows})
            )
        )
        # The units' rows are made by the database from the enrollments and the units.
        ids = [i for i, student_id, version_id in created if (student_id, version_id) in wanted]
        db.session.execute(
            insert(UnitProgress).from_select(
                PROGRESS_INSERT,
                select(
                    Enrollment.id,
                    Unit.id,
                    Unit.number,
                    literal(UnitStatus.NOT_STARTED.value),
                    literal(0),
                    literal(0),
                    literal(now, DateTime()),
                )
                .join(Unit, Unit.course_version_id == Enrollment.course_version_id)
                .where(among(Enrollment.id, ids)),
            )
        )
        counts.enrollments_created += len(rows)


class Blocked:
    """What blocks a new enrollment: an active one in the same course (any version), or this
    version taken before; from the database and from this import."""

    def __init__(self):
        self.courses: set[int] = set()  # student id << 32 | course id
        self.versions: set[int] = set()  # student id << 32 | course version id

    def load(self, student_ids: set[int]) -> None:
        for student_id, course_id, version_id, active in existing_enrollments(student_ids):
            if active:
                self.courses.add(student_id << 32 | course_id)
            self.versions.add(student_id << 32 | version_id)

    def take(self, student_id: int, course_id: int, version_id: int) -> bool:
        """Block the course and version for the student; False when either was blocked."""
        course, version = student_id << 32 | course_id, student_id << 32 | version_id
        if course in self.courses or version in self.versions:
            return False
        self.courses.add(course)
        self.versions.add(version)
        return True
