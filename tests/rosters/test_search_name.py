"""A roster import writes students in bulk; their stored search name is kept in step."""

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.learning.student_list import filter_students
from app.rosters.files import read_zip
from app.rosters.services import import_roster
from app.students.models import Student
from tests.rosters.helpers import zip_of


def run(files, by):
    data = zip_of(files)
    return import_roster(read_zip(data), by, "roster.zip", data)


def _ana() -> Student:
    return db.session.scalar(select(Student).where(Student.roster_id == "u-ana"))


def test_imported_and_reimported_students_are_found_without_accents(world, roster_set):
    run(roster_set, world["admin"])
    assert _ana().search_name == "ana garcia"
    found = db.session.scalars(filter_students(world["admin"], MultiDict({"q": "GARCIA"}))).all()
    assert _ana() in found
    for row in roster_set["users.csv"]:
        if row["sourcedId"] == "u-ana":
            row["givenName"] = "Anabel Ángeles"
    run(roster_set, world["admin"])
    db.session.expire_all()
    assert _ana().search_name == "anabel angeles garcia"
