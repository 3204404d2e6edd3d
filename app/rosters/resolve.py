"""Match a roster plan to what the database holds (sites, students, staff, courses) and check scope."""

from collections.abc import Iterable, Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.courses.models import Course, CourseVersion
from app.enrollments.models import Enrollment, EnrollmentStatus
from app.extensions import db
from app.permissions import can_manage_site
from app.rosters.bulk import among
from app.rosters.files import RosterFiles
from app.rosters.models import RosterClass, RosterCourseMap
from app.rosters.plan import ClassPlan, Plan, SchoolPlan, add_earlier_student, iter_student_keys
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


def resolve_plan(plan: Plan, files: RosterFiles, user: User, state_code: str = "") -> None:
    """Fill the plan's ids of existing rows; add a problem for each row the user may not write.

    A school whose state no parent org gives takes the state of the site it maps to, else
    `state_code` (the import's option)."""
    _resolve_unroled_users(plan)
    _resolve_earlier_schools(plan, user)
    sites = _resolve_schools(plan, user, state_code)
    _resolve_courses(plan)
    _resolve_earlier_classes(plan, user)
    _resolve_students(plan, files, user, sites)
    _resolve_earlier_students(plan, user)
    _resolve_staff(plan)


def _resolve_unroled_users(plan: Plan) -> None:
    """Users with no role in this set are students when an earlier import made them ones."""
    for batch in chunks(list(plan.unroled)):
        for sourced_id in db.session.scalars(
            select(Student.roster_id).where(among(Student.roster_id, batch))
        ):
            add_earlier_student(plan, sourced_id)
    plan.skipped["users.csv"] += len(plan.unroled)
    plan.unroled.clear()


def _resolve_earlier_schools(plan: Plan, user: User) -> None:
    """Schools rows name that orgs.csv does not hold: sites an earlier import wrote."""
    found = {}
    for batch in chunks(plan.earlier_schools):
        for site in db.session.scalars(select(Site).where(among(Site.roster_id, batch))):
            found[site.roster_id] = site
    for sourced_id, places in plan.earlier_schools.items():
        site = found.get(sourced_id)
        if site is None:
            for file, line, column in places:
                plan.problem(
                    file,
                    line,
                    column,
                    _("No school with this sourcedId in orgs.csv or an earlier import."),
                )
        elif site.is_external or not can_manage_site(user, site):
            for file, line, column in places:
                plan.problem(
                    file, line, column, _("The site %(code)s is not one of yours.", code=site.code)
                )
        else:
            plan.schools[sourced_id] = SchoolPlan(
                sourced_id, places[0][1], site.name, site.code, site.state_code
            )


def _resolve_schools(plan: Plan, user: User, state_code: str) -> dict[int, Site]:
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
            plan.problem(
                "orgs.csv",
                school.line,
                "identifier",
                _(
                    "The site code %(code)s belongs to another roster's school (%(other)s).",
                    code=school.code,
                    other=site.roster_id,
                ),
            )
            continue
        if not school.state_code:
            school.state_code = site.state_code if site is not None else state_code
        if not school.state_code:
            plan.problem(
                "orgs.csv",
                school.line,
                "parentSourcedId",
                _(
                    "The school's state is unknown: choose the state for the import, or give the "
                    "school (or its district) a parent org of type state identified by its code "
                    "(US-TX, MX-MIC or TX)."
                ),
            )
            continue
        if site is None:
            if user.role != Role.ADMIN:
                plan.problem(
                    "orgs.csv",
                    school.line,
                    "identifier",
                    _(
                        "No site here has the code %(code)s; an administrator adds new sites.",
                        code=school.code,
                    ),
                )
            continue
        if site.is_external or not can_manage_site(user, site):
            plan.problem(
                "orgs.csv",
                school.line,
                "sourcedId",
                _("The site %(code)s is not one of yours.", code=site.code),
            )
        elif site.state_code != school.state_code:
            plan.problem(
                "orgs.csv",
                school.line,
                "parentSourcedId",
                _(
                    "The site %(code)s is in %(here)s here, not %(there)s.",
                    code=site.code,
                    here=site.state_code,
                    there=school.state_code,
                ),
            )
        school.site_id = site.id
        sites[site.id] = site
    return sites


def current_versions(course_ids: Iterable[int]) -> dict[int, int]:
    """course id -> its current version's id."""
    return dict(
        db.session.execute(
            select(CourseVersion.course_id, CourseVersion.id).where(
                among(CourseVersion.course_id, list(course_ids)), CourseVersion.is_current.is_(True)
            )
        ).all()
    )


def _resolve_courses(plan: Plan) -> None:
    """Each code the class names, in order: the admin's course map first, then Puente's codes."""
    codes = {c.upper() for cls in plan.classes.values() for c in cls.course_code.split("|")}
    found = dict(
        db.session.execute(
            select(func.upper(Course.code), Course.id).where(
                among(func.upper(Course.code), list(codes))
            )
        ).all()
    )
    mapped = dict(
        db.session.execute(
            select(RosterCourseMap.key, RosterCourseMap.course_id).where(
                among(RosterCourseMap.key, list(codes))
            )
        ).all()
    )
    versions = current_versions(set(found.values()) | set(mapped.values()))
    for cls in plan.classes.values():
        candidates = [c.upper() for c in cls.course_code.split("|")]
        course_id = next((mapped[c] for c in candidates if c in mapped), None) or next(
            (found[c] for c in candidates if c in found), None
        )
        if course_id is None or course_id not in versions:
            plan.problem(
                "classes.csv",
                cls.line,
                "courseSourcedId",
                _(
                    "No Puente course has the code %(code)s (an administrator can map it to one "
                    "under Rosters → Course map).",
                    code=cls.course_code.replace("|", " / "),
                ),
            )
            continue
        cls.course_id, cls.course_version_id = course_id, versions[course_id]


def _resolve_earlier_classes(plan: Plan, user: User) -> None:
    """Classes an enrollment names that this set does not hold: from an earlier import."""
    earlier = {}
    for batch in chunks(plan.earlier_classes):
        for row in db.session.scalars(
            select(RosterClass).where(among(RosterClass.sourced_id, batch))
        ):
            earlier[row.sourced_id] = row
    sites = (
        {
            s.id: s
            for s in db.session.scalars(
                select(Site).where(among(Site.id, {r.site_id for r in earlier.values()}))
            )
        }
        if earlier
        else {}
    )
    versions = current_versions({r.course_id for r in earlier.values()})
    for class_id, lines in plan.earlier_classes.items():
        row = earlier.get(class_id)
        if row is None or row.course_id not in versions:
            for line in lines:
                plan.problem(
                    "enrollments.csv",
                    line,
                    "classSourcedId",
                    _("No class with this sourcedId in classes.csv or an earlier import."),
                )
        elif not can_manage_site(user, sites[row.site_id]):
            for line in lines:
                plan.problem(
                    "enrollments.csv",
                    line,
                    "classSourcedId",
                    _("This class is at a site that is not yours."),
                )
        else:
            plan.classes[class_id] = ClassPlan(
                class_id, lines[0], "", "", row.title, versions[row.course_id], row.course_id
            )
            plan.earlier_class_ids.add(class_id)


def _resolve_earlier_students(plan: Plan, user: User) -> None:
    """Students an enrollment names that this set does not hold: from an earlier import."""
    found = {}
    for batch in chunks(plan.earlier_students):
        for student in db.session.scalars(
            select(Student)
            .where(among(Student.roster_id, batch))
            .options(selectinload(Student.site))
        ):
            found[student.roster_id] = student
    for sourced_id, lines in plan.earlier_students.items():
        student = found.get(sourced_id)
        if student is None or not can_manage_site(user, student.site):
            for line in lines:
                plan.problem(
                    "enrollments.csv",
                    line,
                    "userSourcedId",
                    _("No student with this sourcedId in users.csv or an earlier import of yours."),
                )
        else:
            plan.earlier_student_ids[sourced_id] = student.id


def _resolve_students(plan: Plan, files: RosterFiles, user: User, sites: dict[int, Site]) -> None:
    """Match by sourcedId, then MSIX ID, then CURP; a match must be in the user's scope.
    Students are read again from the file and matched a batch at a time."""
    columns = (Student.id, Student.site_id, Student.roster_id, Student.msix_id, Student.curp)
    for students in chunks(iter_student_keys(files, plan)):
        found: dict[tuple[str, str], tuple] = {}
        for key, column in (
            ("roster", Student.roster_id),
            ("msix", Student.msix_id),
            ("curp", Student.curp),
        ):
            values = [v for v in (_key(s, key) for s in students) if v]
            if values:
                for row in db.session.execute(select(*columns).where(among(column, values))):
                    found[(key, getattr(row, ATTRIBUTE[key]))] = row
        site_ids = {row.site_id for row in found.values()} - set(sites)
        if site_ids:
            sites.update(
                {s.id: s for s in db.session.scalars(select(Site).where(among(Site.id, site_ids)))}
            )
        for student in students:
            _match_student(plan, student, found, user, sites)


def _match_student(plan: Plan, student, found: dict, user: User, sites: dict[int, Site]) -> None:
    matches = {
        found[(key, _key(student, key))]
        for key in ("roster", "msix", "curp")
        if (key, _key(student, key)) in found
    }
    if len(matches) > 1:
        plan.problem(
            "users.csv",
            student.line,
            "userIds",
            _("The sourcedId, MSIX ID and CURP name different students here."),
        )
        return
    if not matches:
        return
    match = matches.pop()
    if match.roster_id not in (None, student.sourced_id):
        plan.problem(
            "users.csv",
            student.line,
            "userIds",
            _(
                "The MSIX ID or CURP belongs to a student of another roster (%(other)s).",
                other=match.roster_id,
            ),
        )
    elif not can_manage_site(user, sites[match.site_id]):
        plan.problem(
            "users.csv",
            student.line,
            "userIds",
            _("This student's record is at a site that is not yours; transfer the record first."),
        )
    plan.matched[student.sourced_id] = match.id


def _key(student, key: str) -> str | None:
    return student.sourced_id if key == "roster" else getattr(student, ATTRIBUTE[key])


def _resolve_staff(plan: Plan) -> None:
    emails = {email for _line, email in plan.staff.values() if email}
    by_email = {}
    for batch in chunks(emails):
        for staff in db.session.scalars(
            select(User).where(among(func.lower(User.email), batch), User.role != Role.STUDENT)
        ):
            by_email[staff.email.lower()] = staff.id
    plan.staff_ids = {
        sid: by_email[email] for sid, (_l, email) in plan.staff.items() if email in by_email
    }


def existing_enrollments(student_ids: Iterable[int]) -> Iterator[tuple[int, int, int, bool]]:
    """(student, course, version, active) for each enrollment the students have."""
    for batch in chunks(student_ids):
        rows = db.session.execute(
            select(
                Enrollment.student_id,
                CourseVersion.course_id,
                Enrollment.course_version_id,
                Enrollment.status,
            )
            .join(CourseVersion)
            .where(among(Enrollment.student_id, batch))
        )
        for student_id, course_id, version_id, status in rows:
            yield student_id, course_id, version_id, status == EnrollmentStatus.ACTIVE
