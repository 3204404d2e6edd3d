"""Write a OneRoster CSV set (1.2 or 1.1) of sites: roster files and the Gradebook results."""

import csv
import io
import zipfile
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.audit.services import record_event
from app.common import utcnow
from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.credits.rules import credit_text
from app.enrollments.models import Enrollment, EnrollmentStatus, UnitProgress
from app.extensions import db
from app.rosters.bulk import among
from app.rosters.models import RosterClass
from app.rosters.resolve import chunks
from app.rosters.tables import EXTRA, MANIFEST_FILES, VERSIONS
from app.sites.models import Site
from app.students.models import Student
from app.users.models import User

SEX = {"F": "female", "M": "male", "X": "other"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SYSTEM_NAME = "Puente"


def cell(value) -> str:
    """A CSV value; text that a spreadsheet would run as a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Writer:
    """One CSV file of the set: the version's columns, then Puente's metadata.* columns."""

    def __init__(self, archive: zipfile.ZipFile, name: str, version: str):
        self.columns = VERSIONS[version][name] + EXTRA.get(name, ())
        self.stream = io.TextIOWrapper(archive.open(name, "w"), encoding="utf-8", newline="")
        self.csv = csv.writer(self.stream, lineterminator="\r\n")
        self.csv.writerow(self.columns)

    def row(self, **values) -> None:
        self.csv.writerow([cell(values.get(c)) for c in self.columns])

    def close(self) -> None:
        self.stream.close()


def school_year_of(today: date) -> tuple[str, date, date]:
    """The school year (OneRoster's schoolYear: the year it ends) with its first and last day."""
    end = today.year + 1 if today.month >= 8 else today.year
    return str(end), date(end - 1, 8, 1), date(end, 7, 31)


def export_oneroster(sites: list[Site], version: str, by: User) -> bytes:
    """A ZIP of manifest.csv and the roster and gradebook files for the students of `sites`."""
    sites = sorted((s for s in sites if not s.is_external), key=lambda s: s.code)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        counts = _write_set(archive, sites, version)
        _write_manifest(archive, version)
    record_event(
        by, "roster.exported", by, version=version, sites=[s.code for s in sites][:200], **counts
    )
    return buffer.getvalue()


def _site_id(site: Site) -> str:
    return site.roster_id or f"puente-site-{site.code}"


def _student_id(row) -> str:
    return row.roster_id or f"puente-student-{row.id}"


def _write_set(archive, sites: list[Site], version: str) -> dict:
    year, first, last = school_year_of(utcnow().date())
    term = f"puente-year-{year}"
    write = lambda name: _Writer(archive, name, version)  # noqa: E731
    orgs = write("orgs.csv")
    for state in sorted({s.state_code for s in sites}):
        orgs.row(sourcedId=f"puente-state-{state}", name=state, type="state", identifier=state)
    for site in sites:
        orgs.row(
            sourcedId=_site_id(site),
            name=site.name,
            type="school",
            identifier=site.code,
            parentSourcedId=f"puente-state-{site.state_code}",
        )
    orgs.close()
    sessions = write("academicSessions.csv")
    sessions.row(
        sourcedId=term,
        title=f"{int(year) - 1}-{year}",
        type="schoolYear",
        startDate=first.isoformat(),
        endDate=last.isoformat(),
        schoolYear=year,
    )
    sessions.close()
    site_by_id = {s.id: s for s in sites}
    students = _students(list(site_by_id))
    enrollments = _enrollments([s.id for s in students])
    classes = _classes(enrollments, {s.id: s.site_id for s in students}, site_by_id)
    _write_courses(write, classes, sites)
    site_ids = {i: _site_id(s) for i, s in site_by_id.items()}
    _write_classes(write, classes, term, site_ids)
    _write_users(write, version, students, site_ids)
    _write_enrollments(write, enrollments, students, classes, site_ids)
    results = _write_gradebook(write, enrollments, students, classes, site_ids, term, first)
    return {"students": len(students), "enrollments": len(enrollments), "results": results}


def _students(site_ids: list[int]) -> list:
    columns = (
        Student.id,
        Student.roster_id,
        Student.site_id,
        Student.given_name,
        Student.family_name,
        Student.second_family_name,
        Student.msix_id,
        Student.curp,
        Student.state_student_id,
        Student.grade_level,
        Student.kind,
        Student.birth_date,
        Student.sex,
    )
    rows = []
    for batch in chunks(site_ids):
        rows += db.session.execute(
            select(*columns).where(among(Student.site_id, batch)).order_by(Student.id)
        ).all()
    return rows


def _enrollments(student_ids: list[int]) -> list:
    columns = (
        Enrollment.id,
        Enrollment.roster_id,
        Enrollment.student_id,
        Enrollment.status,
        Enrollment.assigned_at,
        Enrollment.target_date,
        CourseVersion.course_id,
        CourseVersion.unit_count,
    )
    rows = []
    for batch in chunks(student_ids):
        rows += db.session.execute(
            select(*columns)
            .join(CourseVersion)
            .where(
                among(Enrollment.student_id, batch), Enrollment.status != EnrollmentStatus.WITHDRAWN
            )
            .order_by(Enrollment.id)
        ).all()
    return rows


def _classes(enrollments, student_site: dict, site_by_id: dict) -> dict:
    """(site id, course id) -> (class sourcedId, course code, title); a class an import named
    keeps its sourcedId."""
    keys = {(student_site[e.student_id], e.course_id) for e in enrollments}
    courses = {}
    for batch in chunks({course for _site, course in keys}):
        courses.update(
            {
                row.id: (row.code, row.title_en)
                for row in db.session.execute(
                    select(Course.id, Course.code, CourseVersion.title_en)
                    .join(CourseVersion)
                    .where(among(Course.id, batch), CourseVersion.is_current.is_(True))
                )
            }
        )
    named = {}
    for batch in chunks(list(site_by_id)):
        for row in db.session.execute(
            select(RosterClass.site_id, RosterClass.course_id, RosterClass.sourced_id)
            .where(among(RosterClass.site_id, batch))
            .order_by(RosterClass.id.desc())
        ):
            named[(row.site_id, row.course_id)] = row.sourced_id
    classes = {}
    for site_id, course_id in sorted(keys):
        code, title = courses.get(course_id, (str(course_id), str(course_id)))
        sourced_id = (
            named.get((site_id, course_id)) or f"puente-class-{site_by_id[site_id].code}-{code}"
        )
        classes[(site_id, course_id)] = (sourced_id, code, title)
    return classes


def _write_courses(write, classes: dict, sites: list[Site]) -> None:
    out = write("courses.csv")
    for code, title in sorted({(code, title) for _s, code, title in classes.values()}):
        out.row(
            sourcedId=f"puente-course-{code}",
            title=title,
            courseCode=code,
            orgSourcedId=f"puente-state-{sites[0].state_code}",
        )
    out.close()


def _write_classes(write, classes: dict, term: str, site_ids: dict) -> None:
    out = write("classes.csv")
    for (site_id, _course_id), (sourced_id, code, title) in classes.items():
        out.row(
            sourcedId=sourced_id,
            title=title,
            courseSourcedId=f"puente-course-{code}",
            classCode=code,
            classType="scheduled",
            schoolSourcedId=site_ids[site_id],
            termSourcedIds=term,
        )
    out.close()


def _write_users(write, version: str, students, site_ids: dict) -> None:
    users = write("users.csv")
    for s in students:
        sourced_id, school = _student_id(s), site_ids[s.site_id]
        ids = ",".join(
            f"{{{kind}:{value}}}"
            for kind, value in (("MSIX", s.msix_id), ("CURP", s.curp))
            if value
        )
        family = " ".join(n for n in (s.family_name, s.second_family_name) if n)
        users.row(
            sourcedId=sourced_id,
            enabledUser="true",
            username=sourced_id,
            userIds=ids,
            givenName=s.given_name,
            familyName=family,
            identifier=s.state_student_id,
            grades=f"{s.grade_level:02d}" if s.grade_level else "",
            primaryOrgSourcedId=school,
            orgSourcedIds=school,
            role="student",
            **{
                "metadata.secondFamilyName": s.second_family_name,
                "metadata.studentKind": s.kind.value,
            },
        )
    users.close()
    if version == "1.2":  # 1.1 gives the role in users.csv
        roles = write("roles.csv")
        for s in students:
            roles.row(
                sourcedId=f"puente-role-{_student_id(s)}",
                userSourcedId=_student_id(s),
                roleType="primary",
                role="student",
                orgSourcedId=site_ids[s.site_id],
            )
        roles.close()
    demographics = write("demographics.csv")
    for s in students:
        if s.birth_date or s.sex:
            demographics.row(
                sourcedId=_student_id(s),
                birthDate=s.birth_date and s.birth_date.isoformat(),
                sex=SEX.get(s.sex or ""),
            )
    demographics.close()


def _write_enrollments(write, enrollments, students, classes: dict, site_ids: dict) -> None:
    by_id = {s.id: s for s in students}
    out = write("enrollments.csv")
    for e in enrollments:
        student = by_id[e.student_id]
        out.row(
            sourcedId=e.roster_id or f"puente-enrollment-{e.id}",
            classSourcedId=classes[(student.site_id, e.course_id)][0],
            schoolSourcedId=site_ids[student.site_id],
            userSourcedId=_student_id(student),
            role="student",
            primary="false",
            beginDate=e.assigned_at.date().isoformat(),
            endDate=e.target_date and e.target_date.isoformat(),
        )
    out.close()


def _write_gradebook(write, enrollments, students, classes, site_ids, term, first) -> int:
    """A line item per class and unit (the unit test's best score) and one for the course's
    final grade; a result for each score and each current credit award (grade and credit)."""
    by_id = {s.id: s for s in students}
    categories = write("categories.csv")
    categories.row(sourcedId="puente-unit-test", title="Unit test")
    categories.row(sourcedId="puente-final-grade", title="Final grade")
    categories.close()
    units = defaultdict(dict)
    awards = {}
    ids = [e.id for e in enrollments]
    for batch in chunks(ids):
        for row in db.session.execute(
            select(
                UnitProgress.enrollment_id,
                UnitProgress.unit_number,
                UnitProgress.best_test_percent,
                UnitProgress.completed_at,
            ).where(
                among(UnitProgress.enrollment_id, batch),
                UnitProgress.best_test_percent.is_not(None),
            )
        ):
            units[row.enrollment_id][row.unit_number] = row
        for award in db.session.execute(
            select(
                CreditAward.enrollment_id,
                CreditAward.grade_percent,
                CreditAward.credit,
                CreditAward.credit_system,
                CreditAward.is_partial,
                CreditAward.awarded_at,
            ).where(among(CreditAward.enrollment_id, batch), CreditAward.superseded_at.is_(None))
        ):
            awards[award.enrollment_id] = award
    items = write("lineItems.csv")
    unit_counts = defaultdict(int)
    for e in enrollments:
        key = (by_id[e.student_id].site_id, e.course_id)
        unit_counts[key] = max(unit_counts[key], e.unit_count)
    for key, (class_id, code, _title) in classes.items():
        common = {
            "assignDate": first.isoformat(),
            "dueDate": first.replace(year=first.year + 1).isoformat(),
            "classSourcedId": class_id,
            "gradingPeriodSourcedId": term,
            "academicSessionSourcedId": term,
            "resultValueMin": "0",
            "resultValueMax": "100",
            "schoolSourcedId": site_ids[key[0]],
        }
        for number in range(1, unit_counts[key] + 1):
            items.row(
                sourcedId=f"{class_id}-unit-{number}",
                title=f"{code} unit {number}",
                categorySourcedId="puente-unit-test",
                **common,
            )
        items.row(
            sourcedId=f"{class_id}-final",
            title=f"{code} final grade",
            categorySourcedId="puente-final-grade",
            **common,
        )
    items.close()
    results, count = write("results.csv"), 0
    for e in enrollments:
        student = by_id[e.student_id]
        class_id = classes[(student.site_id, e.course_id)][0]
        who = {"studentSourcedId": _student_id(student), "classSourcedId": class_id}
        for number, unit in sorted(units.get(e.id, {}).items()):
            results.row(
                sourcedId=f"puente-result-{e.id}-unit-{number}",
                lineItemSourcedId=f"{class_id}-unit-{number}",
                scoreStatus="fully graded",
                score=f"{unit.best_test_percent:.1f}",
                scoreDate=(unit.completed_at or e.assigned_at).date().isoformat(),
                **who,
            )
            count += 1
        award = awards.get(e.id)
        if award is not None:
            credit = credit_text(award.credit)
            results.row(
                sourcedId=f"puente-result-{e.id}-final",
                lineItemSourcedId=f"{class_id}-final",
                scoreStatus="fully graded",
                score=f"{award.grade_percent:.1f}",
                scoreDate=award.awarded_at.date().isoformat(),
                comment=f"credit {credit} {award.credit_system}"
                + (" (partial)" if award.is_partial else ""),
                **who,
                **{
                    "metadata.creditsGranted": credit,
                    "metadata.creditSystem": award.credit_system,
                    "metadata.partial": "true" if award.is_partial else "false",
                },
            )
            count += 1
    results.close()
    return count


def _write_manifest(archive, version: str) -> None:
    written = set(VERSIONS[version])
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow(("propertyName", "value"))
    out.writerow(("manifest.version", "1.0"))
    out.writerow(("oneroster.version", version))
    for name in MANIFEST_FILES[version]:
        out.writerow((f"file.{name}", "bulk" if f"{name}.csv" in written else "absent"))
    out.writerow(("source.systemName", SYSTEM_NAME))
    out.writerow(("source.systemCode", SYSTEM_NAME.lower()))
    archive.writestr("manifest.csv", buffer.getvalue())
