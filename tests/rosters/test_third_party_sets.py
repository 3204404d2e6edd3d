"""OneRoster sets written by other projects (tests/data/oneroster, each with its SOURCE.md)."""

from pathlib import Path

import pytest
from sqlalchemy import select

from app.enrollments.models import Enrollment
from app.extensions import db
from app.rosters.course_map import map_roster_course
from app.rosters.files import read_folder
from app.rosters.services import RosterError, import_roster
from app.sites.models import Site
from app.students.models import Student
from tests import factories

DATA = Path(__file__).parent.parent / "data" / "oneroster"


def load(name, by, state_code=""):
    return import_roster(read_folder(DATA / name), by, name, b"", state_code)


def test_moodles_1p2_delta_set_imports_with_a_mapped_course_and_a_state_option(world):
    """A school with no parent state org, and a course named only in courses.csv."""
    with pytest.raises(RosterError) as refused:
        load("moodle-oneroster-1p2-delta", world["admin"])
    where = {(p.file, p.line, p.field) for p in refused.value.problems}
    assert ("orgs.csv", 2, "parentSourcedId") in where  # its state is not known
    map_roster_course("COURSE_001", world["course"].course.code, world["admin"])
    record = load("moodle-oneroster-1p2-delta", world["admin"], "US-TX")
    site = db.session.scalar(select(Site).where(Site.roster_id == "ORG_1"))
    assert (site.name, site.state_code) == ("Gotham High School", "US-TX")
    bruce = db.session.scalar(select(Student).where(Student.roster_id == "USER_0"))
    assert (bruce.given_name, bruce.family_name, str(bruce.birth_date)) == (
        "Bruce",
        "Wayne",
        "2010-04-17",
    )
    enrollment = db.session.scalar(select(Enrollment).where(Enrollment.student_id == bruce.id))
    assert enrollment.course_version_id == world["course"].id
    assert enrollment.roster_id == "ENROLLMENT_001"
    assert record.counts["enrollments_created"] == 1


def test_oats_1p1_bulk_set_imports_with_classes_mapped_by_title(world):
    """OneRoster 1.1: roles in users.csv; classes that name no course; empty files with
    non-standard headers; schools whose parent is another school."""
    other = factories.make_course_version()
    for key, course in (
        ("Class 1 title", world["course"]),
        ("Class 2 title", other),
        ("Class 3 title", world["course"]),
    ):
        map_roster_course(key, course.course.code, world["admin"])
    record = load("oat-oneroster-1p1-base", world["admin"], "US-ND")
    sites = {
        s.roster_id: s
        for s in db.session.scalars(select(Site).where(Site.roster_id.in_(["12345", "54321"])))
    }
    assert (sites["12345"].code, sites["12345"].state_code) == ("my identifier", "US-ND")
    user1 = db.session.scalar(select(Student).where(Student.roster_id == "user1"))
    assert (user1.given_name, user1.family_name, user1.site_id) == (
        "ionut",
        "padurariu",
        sites["12345"].id,
    )
    courses = set(
        db.session.scalars(
            select(Enrollment.course_version_id).where(Enrollment.student_id == user1.id)
        )
    )
    assert courses == {world["course"].id, other.id}
    assert record.counts["students_created"] == 2 and record.counts["enrollments_created"] == 3


def test_a_class_at_a_department_is_refused_naming_the_orgs_type(world):
    with pytest.raises(RosterError) as refused:
        load("moodle-oneroster-1p2-department", world["admin"], "US-TX")
    messages = {(p.file, p.line, p.field): p.message for p in refused.value.problems}
    assert "department" in messages[("classes.csv", 2, "schoolSourcedId")]
    assert "not school" in messages[("classes.csv", 2, "schoolSourcedId")]
