"""Check a OneRoster set row by row and plan what the import will write (nothing is written here)."""

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from app.rosters.files import Problem, RosterFiles
from app.students.identifiers import CURP_RE, MSIX_RE, STATE_CODE_RE
from app.students.models import StudentKind

ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
STUDENT_ROLES = {"student"}
STAFF_ROLES = {"teacher", "administrator", "aide", "proctor"}
KNOWN_ROLES = (
    STUDENT_ROLES
    | STAFF_ROLES
    | {
        "guardian",
        "parent",
        "relative",
        "districtAdministrator",
        "siteAdministrator",
        "systemAdministrator",
    }
)
US_STATE = re.compile(r"^[A-Z]{2}$")  # a state org identified by its USPS code, e.g. TX
SEX = {
    "female": "F",
    "male": "M",
    "other": "X",
}  # OneRoster demographics -> Puente (unspecified: none)
MSIX_ID, CURP = MSIX_RE, CURP_RE  # the formats of app/students/identifiers.py
USER_ID = re.compile(r"\{([^:{}]+):([^{}]*)\}")
NAME_MAX = 100


@dataclass
class SchoolPlan:
    sourced_id: str
    line: int
    name: str
    code: str
    state_code: str  # "" when no parent org says: the site it maps to, or the import's option
    site_id: int | None = None  # the existing site it matches


@dataclass
class StudentPlan:
    sourced_id: str
    line: int
    given_name: str
    family_name: str
    school: str  # the school's sourcedId
    second_family_name: str | None = None
    sex: str | None = None
    kind: StudentKind = StudentKind.SECONDARY
    grade_level: int | None = None
    birth_date: date | None = None
    msix_id: str | None = None
    curp: str | None = None
    state_student_id: str | None = None
    student_id: int | None = None  # the existing student it matches


@dataclass
class ClassPlan:
    sourced_id: str
    line: int
    school: str
    course_code: str  # the codes to look the course up by, "|"-separated, in order
    title: str = ""
    course_version_id: int | None = None
    course_id: int | None = None


@dataclass
class EnrollmentPlan:
    line: int
    student: str  # the student's sourcedId
    class_id: str
    target_date: date | None
    sourced_id: str = ""


@dataclass
class Plan:
    schools: dict[str, SchoolPlan] = field(default_factory=dict)
    # Students by sourcedId -> line: iter_students builds each again from users.csv when needed.
    students: dict[str, int] = field(default_factory=dict)
    staff: dict[str, tuple[int, str]] = field(default_factory=dict)  # sourcedId -> (line, email)
    classes: dict[str, ClassPlan] = field(default_factory=dict)
    class_teacher: dict[str, str] = field(default_factory=dict)  # class -> staff sourcedId
    staff_ids: dict[str, int] = field(default_factory=dict)  # staff sourcedId -> matched user
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[Problem] = field(default_factory=list)
    modes: dict[str, str] = field(default_factory=dict)  # file -> bulk / delta (manifest.csv)
    org_types: dict[str, tuple[int, str]] = field(default_factory=dict)  # sourcedId -> line, type
    withdrawn: list[str] = field(default_factory=list)  # enrollment sourcedIds marked tobedeleted
    enrollment_ids: set[str] = field(default_factory=set)  # every enrollment sourcedId listed
    repeated: set[int] = field(default_factory=set)  # lines repeating a student and class
    earlier_classes: dict[str, list[int]] = field(default_factory=dict)  # class -> lines
    earlier_students: dict[str, list[int]] = field(default_factory=dict)  # student -> lines
    earlier_class_ids: set[str] = field(default_factory=set)  # found by resolve_plan
    earlier_student_ids: dict[str, int] = field(default_factory=dict)  # sourcedId -> student id

    unroled: dict[str, tuple] = field(default_factory=dict)  # users.csv rows with no role here
    earlier: dict[str, StudentPlan] = field(default_factory=dict)  # unroled, an earlier student
    # While users.csv is checked: roles.csv's user -> (role, org); else enrollments' role, school.
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)
    enrolled: dict[str, tuple[str, str]] | None = None
    student_schools: dict[str, str] = field(default_factory=dict)  # not primaryOrgSourcedId's
    births: dict[str, date] = field(default_factory=dict)
    sexes: dict[str, str] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)  # student sourcedId -> existing id
    # Schools named but absent from orgs.csv: resolve_plan looks for an earlier import's site.
    earlier_schools: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)

    def defer_school(self, sourced_id: str, file: str, line: int, column: str) -> bool:
        """True when `sourced_id` may be a school an earlier import wrote (not in orgs.csv)."""
        if not sourced_id or sourced_id in self.org_types:
            return False
        self.earlier_schools.setdefault(sourced_id, []).append((file, line, column))
        return True

    def is_delta(self, file: str) -> bool:
        return self.modes.get(file) == "delta"

    def problem(self, file: str, line: int | None, column: str | None, message: str) -> None:
        self.problems.append(Problem(file, line, column, message))


def plan_roster(files: RosterFiles) -> Plan:
    """Check every row of the set; the plan lists every problem found, with file, line, field."""
    plan = Plan(problems=list(files.problems))
    _check_manifest(files, plan)
    _plan_schools(files, plan)
    _plan_classes(files, plan)
    plan.roles = _roles(files, plan)
    plan.births, plan.sexes = _demographics(files, plan)
    _plan_users(files, plan)
    _plan_enrollments(files, plan)
    return plan


def _active(row: dict, plan: Plan, file: str) -> bool:
    """Rows marked tobedeleted are skipped (and counted)."""
    if row.get("status", "") == "tobedeleted":
        plan.skipped[file] += 1
        return False
    return True


def _unique(file: str, rows, plan: Plan):
    """The rows whose sourcedId is present and not repeated (problems for the others)."""
    seen: dict[str, int] = {}
    for line, row in rows:
        sourced_id = row["sourcedId"]
        if not sourced_id:
            plan.problem(file, line, "sourcedId", _("A value is required."))
        elif sourced_id in seen:
            plan.problem(
                file,
                line,
                "sourcedId",
                _("Repeats the sourcedId of line %(line)s.", line=seen[sourced_id]),
            )
        else:
            seen[sourced_id] = line
            yield line, row


def _check_manifest(files: RosterFiles, plan: Plan) -> None:
    """The version, and each file's mode: bulk (the default) or delta."""
    for line, row in files.get("manifest.csv"):
        name, value = row["propertyName"], row["value"]
        if name == "oneroster.version" and value not in ("1.1", "1.2", "1.2.0", "1.1.0"):
            plan.problem(
                "manifest.csv",
                line,
                "value",
                _("OneRoster version %(version)s is not supported (1.2 or 1.1).", version=value),
            )
        elif name.startswith("file.") and value in ("bulk", "delta"):
            plan.modes[name.removeprefix("file.") + ".csv"] = value
        elif name.startswith("file.") and value not in ("absent", ""):
            plan.problem(
                "manifest.csv",
                line,
                "value",
                _("A file is “bulk”, “delta” or “absent”, not “%(value)s”.", value=value),
            )


def _plan_schools(files: RosterFiles, plan: Plan) -> None:
    orgs: dict[str, tuple[int, dict]] = {}
    for line, row in _unique("orgs.csv", files.get("orgs.csv"), plan):
        if not _active(row, plan, "orgs.csv"):
            continue
        if row["type"] not in ORG_TYPES:
            plan.problem(
                "orgs.csv",
                line,
                "type",
                _("“%(value)s” is not a OneRoster org type.", value=row["type"]),
            )
            continue
        orgs[row["sourcedId"]] = (line, row)
        plan.org_types[row["sourcedId"]] = (line, row["type"])
    codes: dict[str, int] = {}
    for sourced_id, (line, row) in orgs.items():
        if row["type"] != "school":
            continue
        name, code = row["name"], row.get("identifier") or sourced_id
        if code in codes:
            plan.problem(
                "orgs.csv",
                line,
                "identifier",
                _("Repeats the identifier of line %(line)s.", line=codes[code]),
            )
            continue
        codes[code] = line
        if not name or len(name) > 200:
            plan.problem("orgs.csv", line, "name", _("A name of 1 to 200 characters is required."))
        elif len(code) > 32:
            plan.problem(
                "orgs.csv",
                line,
                "identifier",
                _("A school's identifier (or sourcedId) is its site code: 32 characters at most."),
            )
        else:
            state = _state_of(sourced_id, orgs)
            plan.schools[sourced_id] = SchoolPlan(sourced_id, line, name, code, state)


def state_code_of(identifier: str) -> str:
    """A state org's ISO 3166-2 code: as given (US-TX, MX-MIC), or from a USPS code (TX)."""
    identifier = identifier.strip().upper()
    if STATE_CODE_RE.match(identifier):
        return identifier
    return f"US-{identifier}" if US_STATE.match(identifier) else ""


def _state_of(sourced_id: str, orgs: dict) -> str:
    """The ISO code of the nearest ancestor org of type state that has one, else ""."""
    _line, row = orgs[sourced_id]
    seen = {sourced_id}
    parent = row.get("parentSourcedId", "")
    while parent:
        if parent not in orgs or parent in seen:
            break
        seen.add(parent)
        _parent_line, parent_row = orgs[parent]
        if parent_row["type"] == "state" and state_code_of(parent_row.get("identifier", "")):
            return state_code_of(parent_row["identifier"])
        parent = parent_row.get("parentSourcedId", "")
    return ""


def _courses(files: RosterFiles, plan: Plan) -> dict[str, dict]:
    return {
        row["sourcedId"]: row
        for _line, row in _unique("courses.csv", files.get("courses.csv"), plan)
    }


def school_problem(plan: Plan, sourced_id: str) -> str:
    """Why `sourced_id` is not a school of this set (it may be an org of another type)."""
    if sourced_id in plan.org_types:
        line, kind = plan.org_types[sourced_id]
        return _(
            "The org %(id)s (orgs.csv line %(line)s) is of type “%(type)s”, not school.",
            id=sourced_id,
            line=line,
            type=kind,
        )
    return _("No school with this sourcedId in orgs.csv.")


def _plan_classes(files: RosterFiles, plan: Plan) -> None:
    """A class's Puente course is looked up by, in order: its course's courseCode in
    courses.csv, the course's sourcedId, its classCode, the course's title, the class title."""
    courses = _courses(files, plan)
    for line, row in _unique("classes.csv", files.get("classes.csv"), plan):
        if not _active(row, plan, "classes.csv"):
            continue
        if row["schoolSourcedId"] not in plan.schools and not plan.defer_school(
            row["schoolSourcedId"], "classes.csv", line, "schoolSourcedId"
        ):
            plan.problem(
                "classes.csv", line, "schoolSourcedId", school_problem(plan, row["schoolSourcedId"])
            )
            continue
        course = courses.get(row.get("courseSourcedId", ""), {})
        codes = [
            course.get("courseCode", ""),
            row.get("courseSourcedId", ""),
            row.get("classCode", ""),
            course.get("title", ""),
            row["title"],
        ]
        codes = list(dict.fromkeys(c for c in codes if c))
        if not codes:
            plan.problem(
                "classes.csv",
                line,
                "courseSourcedId",
                _(
                    "Name the Puente course (its code, e.g. ALG1A) in courses.csv, courseSourcedId "
                    "or classCode."
                ),
            )
            continue
        plan.classes[row["sourcedId"]] = ClassPlan(
            row["sourcedId"], line, row["schoolSourcedId"], "|".join(codes), row["title"][:200]
        )


def _roles(files: RosterFiles, plan: Plan) -> dict[str, tuple[str, str]]:
    """roles.csv (OneRoster 1.2): each user's primary role and org."""
    roles: dict[str, tuple[str, str]] = {}
    for line, row in files.get("roles.csv"):
        if row.get("status") == "tobedeleted":
            continue
        if row["role"] not in KNOWN_ROLES:
            plan.problem(
                "roles.csv",
                line,
                "role",
                _("“%(value)s” is not a OneRoster role.", value=row["role"]),
            )
        elif row["userSourcedId"] not in roles or row.get("roleType") == "primary":
            roles[row["userSourcedId"]] = shared((row["role"], row["orgSourcedId"]))
    return roles


_SHARED: dict[tuple[str, str], tuple[str, str]] = {}


def shared(pair: tuple[str, str]) -> tuple[str, str]:
    """One object for each (role, org) pair: 200,000 users share a few hundred."""
    return _SHARED.setdefault(pair, pair)


def _demographics(files: RosterFiles, plan: Plan) -> tuple[dict[str, date], dict[str, str]]:
    """demographics.csv: the dates of birth and the sexes given."""
    births, sexes = {}, {}
    for line, row in files.get("demographics.csv"):
        if row["birthDate"]:
            value = _date(row["birthDate"])
            if value is None or not date(1900, 1, 1) <= value <= date.today():
                plan.problem(
                    "demographics.csv", line, "birthDate", _("Not a date of birth (YYYY-MM-DD).")
                )
            else:
                births[row["sourcedId"]] = value
        value = row.get("sex", "")
        if value in SEX:
            sexes[row["sourcedId"]] = SEX[value]
        elif value not in ("", "unspecified"):
            plan.problem(
                "demographics.csv", line, "sex", _("Use female, male, other or unspecified.")
            )
    return births, sexes


def _enrolled_roles(files: RosterFiles, roles: dict) -> dict[str, tuple[str, str]]:
    """A role and school for users that roles.csv gives none (from enrollments); users.csv's
    own role column comes before it."""
    found: dict[str, tuple[str, str]] = {}
    for _line, row in files.get("enrollments.csv"):
        user = row["userSourcedId"]
        if row.get("status") != "tobedeleted" and user not in found and user not in roles:
            found[user] = shared((row["role"], row.get("schoolSourcedId", "")))
    return found


def _role_of(sourced_id: str, row: dict, plan: Plan, files: RosterFiles) -> tuple[str, str]:
    """The user's role and org: roles.csv, else users.csv's role, else their enrollments'
    (enrollments.csv is read for these only when some user needs it)."""
    if sourced_id in plan.roles:
        return plan.roles[sourced_id]
    if row.get("role"):
        return row["role"], row.get("orgSourcedIds", "").split(",")[0].strip()
    if plan.enrolled is None:
        plan.enrolled = _enrolled_roles(files, plan.roles)
    return plan.enrolled.get(sourced_id, ("", ""))


def _plan_users(files: RosterFiles, plan: Plan) -> None:
    identities: dict[str, int] = {}
    for line, row in _unique("users.csv", files.get("users.csv"), plan):
        if not _active(row, plan, "users.csv"):
            continue
        sourced_id = row["sourcedId"]
        role, org = _role_of(sourced_id, row, plan, files)
        if role in STAFF_ROLES:
            plan.staff[sourced_id] = (line, (row.get("email") or row.get("username", "")).lower())
        elif role in STUDENT_ROLES:
            student = _student(line, row, row.get("primaryOrgSourcedId") or org, plan)
            if student is not None:
                _check_identity_unique(student, identities, plan)
                plan.students[sourced_id] = line
                if student.school != row.get("primaryOrgSourcedId"):
                    plan.student_schools[sourced_id] = student.school
        elif not role:
            # No role in this set (a delta's changed user): a student if an earlier import says so.
            org = (
                row.get("primaryOrgSourcedId") or row.get("orgSourcedIds", "").split(",")[0].strip()
            )
            plan.unroled[sourced_id] = (line, row, org)
        else:
            plan.skipped["users.csv"] += 1  # guardians and other roles
    plan.roles, plan.enrolled = {}, None  # what iter_students needs is in student_schools


def add_earlier_student(plan: Plan, sourced_id: str) -> None:
    """Plan a user of plan.unroled as the student an earlier import made of them."""
    line, row, school = plan.unroled.pop(sourced_id)
    student = _student(line, row, school, plan)
    if student is not None:
        plan.earlier[sourced_id] = student
        plan.students[sourced_id] = line


def iter_students(files: RosterFiles, plan: Plan) -> Iterator[StudentPlan]:
    """Every student of the plan, built again from its users.csv row as the check built it
    (one at a time: a national set is never held whole), then those of plan.earlier; each with
    its date of birth, sex and the existing student it matches."""
    quiet = Plan(schools=plan.schools, org_types=plan.org_types)  # the check found no problem
    for line, row in files.get("users.csv"):
        sourced_id = row["sourcedId"]
        if plan.students.get(sourced_id) != line or sourced_id in plan.earlier:
            continue  # not a student, a repeated sourcedId, or tobedeleted
        school = plan.student_schools.get(sourced_id) or row.get("primaryOrgSourcedId", "")
        student = _student(line, row, school, quiet)
        if student is not None:
            yield _with_match(student, plan)
    for student in plan.earlier.values():
        yield _with_match(student, plan)


def iter_student_keys(files: RosterFiles, plan: Plan) -> Iterator[StudentPlan]:
    """The students of iter_students with only what matching needs (sourcedId, line, MSIX ID,
    CURP): the rows passed the check, so nothing else is built again."""
    for line, row in files.get("users.csv"):
        sourced_id = row["sourcedId"]
        if plan.students.get(sourced_id) == line and sourced_id not in plan.earlier:
            msix_id, curp = _identifiers(row.get("userIds", ""))
            yield StudentPlan(sourced_id, line, "", "", "", msix_id=msix_id, curp=curp)
    yield from plan.earlier.values()


def _identifiers(text: str) -> tuple[str | None, str | None]:
    """userIds' MSIX ID and CURP as _read_user_ids reads them (the last of each kind)."""
    msix_id = curp = None
    for kind, value in USER_ID.findall(text):
        kind, value = kind.strip().upper(), value.strip().upper()
        if kind == "MSIX":
            msix_id = value
        elif kind == "CURP":
            curp = value
    return msix_id, curp


def _with_match(student: StudentPlan, plan: Plan) -> StudentPlan:
    student.birth_date = plan.births.get(student.sourced_id)
    student.sex = plan.sexes.get(student.sourced_id)
    student.student_id = plan.matched.get(student.sourced_id)
    return student


def _student(line: int, row: dict, school: str, plan: Plan) -> StudentPlan | None:
    ok = True
    for column in ("givenName", "familyName"):
        if not row[column] or len(row[column]) > NAME_MAX:
            plan.problem("users.csv", line, column, _("A name of 1 to 100 characters is required."))
            ok = False
    if school not in plan.schools and not plan.defer_school(
        school, "users.csv", line, "primaryOrgSourcedId"
    ):
        plan.problem(
            "users.csv",
            line,
            "primaryOrgSourcedId",
            _("The student's school is not a school in orgs.csv."),
        )
        ok = False
    family, second = split_family_name(row["familyName"], row.get("metadata.secondFamilyName", ""))
    student = StudentPlan(
        row["sourcedId"],
        line,
        row["givenName"],
        family,
        school,
        second_family_name=second,
        state_student_id=row.get("identifier") or None,
    )
    if student.state_student_id and len(student.state_student_id) > 40:
        plan.problem("users.csv", line, "identifier", _("40 characters at most."))
        ok = False
    ok &= _read_user_ids(line, row.get("userIds", ""), student, plan)
    ok &= _read_grade(line, row.get("grades", ""), student, plan)
    kind = row.get("metadata.studentKind", "")
    if kind:
        if kind not in {k.value for k in StudentKind}:
            plan.problem(
                "users.csv",
                line,
                "metadata.studentKind",
                _("Use “secondary” or “osy” (out-of-school youth)."),
            )
            ok = False
        else:
            student.kind = StudentKind(kind)
    return student if ok else None


def split_family_name(family: str, second: str) -> tuple[str, str | None]:
    """familyName (the surnames as written) and metadata.secondFamilyName (apellido materno)
    -> (first surname, second surname); "García López" + "López" -> ("García", "López")."""
    second = second.strip()
    if second and family.endswith(" " + second):
        family = family.removesuffix(" " + second).strip()
    return family, second or None


def _read_user_ids(line: int, text: str, student: StudentPlan, plan: Plan) -> bool:
    """userIds like {MSIX:123456789012},{CURP:GARA050101HMNRRNA5}; other types are ignored."""
    ok = True
    for kind, value in USER_ID.findall(text):
        kind, value = kind.strip().upper(), value.strip().upper()
        if kind == "MSIX":
            if not MSIX_ID.match(value):
                plan.problem("users.csv", line, "userIds", _("An MSIX ID has 12 digits."))
                ok = False
            student.msix_id = value
        elif kind == "CURP":
            if not CURP.match(value):
                plan.problem(
                    "users.csv",
                    line,
                    "userIds",
                    _("“%(value)s” is not a valid CURP (18 characters).", value=value),
                )
                ok = False
            student.curp = value
    return ok


def _read_grade(line: int, text: str, student: StudentPlan, plan: Plan) -> bool:
    """The first CEDS grade (01-12); kindergarten, ungraded and other grades leave it empty."""
    first = text.split(",")[0].strip()
    if not first or first in {"IT", "PR", "PK", "TK", "KG", "UG", "PS", "13", "Other"}:
        return True
    if first.isdigit() and 1 <= int(first) <= 12:
        student.grade_level = int(first)
        return True
    plan.problem(
        "users.csv", line, "grades", _("“%(value)s” is not a CEDS grade level.", value=first)
    )
    return False


def _check_identity_unique(student: StudentPlan, seen: dict[str, int], plan: Plan) -> None:
    # Keyed by the value alone: an MSIX ID (12 digits) never equals a CURP (18 characters).
    for kind, value in (("MSIX", student.msix_id), ("CURP", student.curp)):
        if value and value in seen:
            plan.problem(
                "users.csv",
                student.line,
                "userIds",
                _(
                    "The %(kind)s %(value)s is also given on line %(line)s.",
                    kind=kind,
                    value=value,
                    line=seen[value],
                ),
            )
        elif value:
            seen[value] = student.line


def _plan_enrollments(files: RosterFiles, plan: Plan) -> None:
    """Check enrollments.csv: its enrollments to add, tobedeleted ones to withdraw. A class or
    student not in this set may be one an earlier import wrote (a delta's usual case):
    resolve_plan looks for it. iter_enrollments reads the ones to add again."""
    for _entry in _enrollments(
        _unique("enrollments.csv", files.get("enrollments.csv"), plan), plan
    ):
        pass


def iter_enrollments(files: RosterFiles, plan: Plan) -> Iterator[EnrollmentPlan]:
    """The enrollments to add, one at a time, read again from the file the check passed."""
    quiet = Plan(
        classes=plan.classes, students=plan.students, staff=plan.staff, repeated=plan.repeated
    )
    yield from _enrollments(files.get("enrollments.csv"), quiet, checking=False)


def _enrollments(rows, plan: Plan, checking: bool = True) -> Iterator[EnrollmentPlan]:
    pairs: set[tuple[str, str]] = set()  # while checking; the reading again skips plan.repeated
    for line, row in rows:
        if not checking:
            if line in plan.repeated:
                continue
        else:
            plan.enrollment_ids.add(row["sourcedId"])
        if row.get("status", "") == "tobedeleted":
            plan.withdrawn.append(row["sourcedId"])
            continue
        user, class_id, role = row["userSourcedId"], row["classSourcedId"], row["role"]
        if class_id not in plan.classes and role in STUDENT_ROLES:
            plan.earlier_classes.setdefault(class_id, []).append(line)
        if class_id not in plan.classes and role not in STUDENT_ROLES:
            plan.skipped["enrollments.csv"] += 1
        elif role in STAFF_ROLES:
            if user in plan.staff and (
                class_id not in plan.class_teacher or row.get("primary") == "true"
            ):
                plan.class_teacher[class_id] = user
        elif role not in STUDENT_ROLES:
            plan.skipped["enrollments.csv"] += 1
        elif user not in plan.students and user in plan.staff:
            plan.problem(
                "enrollments.csv",
                line,
                "userSourcedId",
                _("This user is not a student in users.csv."),
            )
        else:
            if user not in plan.students:
                plan.earlier_students.setdefault(user, []).append(line)
            end = _date(row.get("endDate", "")) if row.get("endDate") else None
            if row.get("endDate") and end is None:
                plan.problem("enrollments.csv", line, "endDate", _("Not a date (YYYY-MM-DD)."))
            elif checking and (user, class_id) in pairs:
                plan.repeated.add(line)
            else:
                if checking:
                    pairs.add((user, class_id))
                target = end if end and end >= date.today() else None
                yield EnrollmentPlan(line, user, class_id, target, row["sourcedId"])


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
