"""Match a roster plan to what the database holds (sites, students, staff, courses) and check scope."""

from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.courses.models import Course, CourseVersion
from app.enrollments.models import Enrollment, EnrollmentStatus
from app.extensions import db
from app.permissions import can_manage_site
from app.rosters.bulk import among
from app.rosters.plan import Plan
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role, User

CHUNK = 5_000  # values per IN (...) lookup
ATTRIBUTE = {"roster": "roster_id", "msix": "msix_id", "curp": "curp"}


def chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def resolve_plan(plan: Plan, user: User) -> None:
    """Fill the plan's ids of existing rows; add a problem for each row the user may not write."""
    sites = _resolve_schools(plan, user)
    _resolve_courses(plan)
    _resolve_students(plan, user, sites)
    _resolve_staff(plan)


def _resolve_schools(plan: Plan, user: User) -> dict[int, Site]:
    by_roster, by_code = {}, {}
    for batch in chunks(plan.schools.values()):
        for site in db.session.scalars(
            select(Site).where(among(Site.roster_id, [s.sourced_id for s in batch]))
        ):
            by_roster[site.roster_id] = site
        for site in db.session.scalars(
            select(Site).where(among(Site.code, [s.code for s in batch]))
        ):
            by_code[site.code] = site
    sites = {}
    for school in plan.schools.values():
        site = by_roster.get(school.sourced_id) or by_code.get(school.code)
        if site is not None and site.roster_id not in (None, school.sourced_id):
            plan.problem("orgs.csv", school.line, "identifier", _(
                "The site code %(code)s belongs to another roster's school (%(other)s).",
                code=school.code, other=site.roster_id))  # fmt: skip
            continue
        if site is None:
            if user.role != Role.ADMIN:
                plan.problem("orgs.csv", school.line, "identifier", _(
                    "No site here has the code %(code)s; an administrator adds new sites.",
                    code=school.code))  # fmt: skip
            continue
        if site.is_external or not can_manage_site(user, site):
            plan.problem("orgs.csv", school.line, "sourcedId", _(
                "The site %(code)s is not one of yours.", code=site.code))  # fmt: skip
        elif site.state_code != school.state_code:
            plan.problem("orgs.csv", school.line, "parentSourcedId", _(
                "The site %(code)s is in %(here)s here, not %(there)s.",
                code=site.code, here=site.state_code, there=school.state_code))  # fmt: skip
        school.site_id = site.id
        sites[site.id] = site
    return sites


def _resolve_courses(plan: Plan) -> None:
    codes = {c for cls in plan.classes.values() for c in cls.course_code.split("|")}
    current = {
        code.upper(): version_id
        for code, version_id in db.session.execute(
            select(Course.code, CourseVersion.id)
            .join(CourseVersion)
            .where(
                among(func.upper(Course.code), [c.upper() for c in codes]),
                CourseVersion.is_current.is_(True),
            )
        )  # fmt: skip
    }
    for cls in plan.classes.values():
        found = next((current[c.upper()] for c in cls.course_code.split("|") if c.upper() in current), None)  # fmt: skip
        if found is None:
            plan.problem("classes.csv", cls.line, "courseSourcedId", _(
                "No Puente course has the code %(code)s.", code=cls.course_code.replace("|", " / ")))  # fmt: skip
        cls.course_version_id = found


def _resolve_students(plan: Plan, user: User, sites: dict[int, Site]) -> None:
    """Match by sourcedId, then MSIX ID, then CURP; a match must be in the user's scope."""
    students = list(plan.students.values())
    found: dict[tuple[str, str], tuple] = {}
    columns = (Student.id, Student.site_id, Student.roster_id, Student.msix_id, Student.curp)
    for key, column in (("roster", Student.roster_id), ("msix", Student.msix_id), ("curp", Student.curp)):  # fmt: skip
        values = [v for v in (_key(s, key) for s in students) if v]
        for batch in chunks(values):
            for row in db.session.execute(select(*columns).where(among(column, batch))):
                found[(key, getattr(row, ATTRIBUTE[key]))] = row
    site_ids = {row.site_id for row in found.values()} - set(sites)
    if site_ids:
        sites.update(
            {s.id: s for s in db.session.scalars(select(Site).where(among(Site.id, site_ids)))}
        )
    for student in students:
        matches = {found[(key, _key(student, key))] for key in ("roster", "msix", "curp")
                   if (key, _key(student, key)) in found}  # fmt: skip
        if len(matches) > 1:
            plan.problem("users.csv", student.line, "userIds", _(
                "The sourcedId, MSIX ID and CURP name different students here."))  # fmt: skip
            continue
        if not matches:
            continue
        match = matches.pop()
        if match.roster_id not in (None, student.sourced_id):
            plan.problem("users.csv", student.line, "userIds", _(
                "The MSIX ID or CURP belongs to a student of another roster (%(other)s).",
                other=match.roster_id))  # fmt: skip
        elif not can_manage_site(user, sites[match.site_id]):
            plan.problem("users.csv", student.line, "userIds", _(
                "This student's record is at a site that is not yours; transfer the record first."))  # fmt: skip
        student.student_id = match.id


def _key(student, key: str) -> str | None:
    return student.sourced_id if key == "roster" else getattr(student, ATTRIBUTE[key])


def _resolve_staff(plan: Plan) -> None:
    emails = {email for _line, email in plan.staff.values() if email}
    by_email = {}
    for batch in chunks(emails):
        for staff in db.session.scalars(select(User).where(among(func.lower(User.email), batch),
                                                           User.role != Role.STUDENT)):  # fmt: skip
            by_email[staff.email.lower()] = staff.id
    plan.staff_ids = {
        sid: by_email[email] for sid, (_l, email) in plan.staff.items() if email in by_email
    }


def existing_enrollments(student_ids: list[int]) -> set[tuple[str, int, int]]:
    """Keys of enrollments that block a new one: ("course", student, course) while one is
    active in any version, ("version", student, version) once this version was taken."""
    keys = set()
    for batch in chunks(student_ids):
        rows = db.session.execute(
            select(Enrollment.student_id, CourseVersion.course_id, Enrollment.course_version_id,
                   Enrollment.status)
            .join(CourseVersion).where(among(Enrollment.student_id, batch))
        )  # fmt: skip
        for student_id, course_id, version_id, status in rows:
            if status == EnrollmentStatus.ACTIVE:
                keys.add(("course", student_id, course_id))
            keys.add(("version", student_id, version_id))
    return keys
