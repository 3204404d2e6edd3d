"""OneRoster export: every file follows the standard's column rules, the Gradebook results carry
what was earned, and an export imported into a fresh Puente reproduces the roster."""

import csv
import io
import re
import zipfile

import pytest
from sqlalchemy import select

from app import create_app
from app.credits.services import award_credit
from app.enrollments.models import Enrollment
from app.extensions import db
from app.rosters.export import export_oneroster
from app.rosters.files import read_zip
from app.rosters.services import import_roster
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role
from config import TestingConfig
from tests import factories
from tests.installations import database_url
from tests.rosters.oneroster_spec import ENUMS, MANIFEST_11, MANIFEST_12, SPEC_11, SPEC_12, columns

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REFERENCES = {  # column -> (file, the set of sourcedIds it must name)
    "parentSourcedId": "orgs.csv",
    "orgSourcedId": "orgs.csv",
    "schoolSourcedId": "orgs.csv",
    "primaryOrgSourcedId": "orgs.csv",
    "courseSourcedId": "courses.csv",
    "classSourcedId": "classes.csv",
    "userSourcedId": "users.csv",
    "studentSourcedId": "users.csv",
    "lineItemSourcedId": "lineItems.csv",
    "categorySourcedId": "categories.csv",
    "termSourcedIds": "academicSessions.csv",
}


def read_set(data: bytes) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            n: list(csv.reader(io.StringIO(archive.read(n).decode("utf-8"), newline="")))
            for n in archive.namelist()
        }


def check_against_spec(files: dict, spec: dict, manifest_names: list[str], version: str) -> None:
    manifest = dict(files.pop("manifest.csv")[1:])
    assert manifest["manifest.version"] == "1.0" and manifest["oneroster.version"] == version
    assert {k.removeprefix("file.") for k in manifest if k.startswith("file.")} == set(
        manifest_names
    )
    for name in manifest_names:
        declared = manifest[f"file.{name}"]
        assert declared == ("bulk" if f"{name}.csv" in files else "absent"), name
    assert manifest["source.systemName"]
    ids = {name: {row[0] for row in rows[1:]} for name, rows in files.items()}
    for name, rows in files.items():
        order, required = columns(spec, name)
        header = rows[0]
        assert header[: len(order)] == order, name  # the standard's columns, in its order
        assert all(h.startswith("metadata.") for h in header[len(order) :]), name
        assert len(ids[name]) == len(rows) - 1, f"{name}: sourcedIds repeat"
        for row in rows[1:]:
            values = dict(zip(header, row, strict=True))
            for column in required:
                assert values[column], f"{name} {column} is required: {row}"
            assert values["status"] == values["dateLastModified"] == ""  # bulk
            for (file, column), allowed in ENUMS.items():
                if file == name and column in values:
                    assert values[column] in allowed, (name, column, values[column])
            for column in (
                "startDate",
                "endDate",
                "birthDate",
                "beginDate",
                "assignDate",
                "dueDate",
                "scoreDate",
            ):
                assert not values.get(column) or DATE.match(values[column]), (name, column)
            for column, target in REFERENCES.items():
                for value in filter(None, values.get(column, "").split(",")):
                    assert value in ids[target], f"{name}.{column} {value} not in {target}"


@pytest.fixture
def earned(world):
    """Ana (two surnames, sex, ids) passed all five units of world's course and was awarded credit;
    Luis is enrolled with nothing done yet."""
    ana = factories.make_student(
        world["tx1"],
        given_name="Ana",
        family_name="García",
        second_family_name="López",
        sex="F",
        msix_id="123456789012",
        grade_level=10,
    )
    enrollment = factories.make_enrollment(ana, world["course"], world["teacher_tx1"])
    for progress in enrollment.units:
        factories.pass_unit(progress, open_points=1.0)
    award = award_credit(enrollment, world["coord_tx"])
    luis = factories.make_student(world["tx1"], given_name="Luis", family_name="=Hernández")
    factories.make_enrollment(luis, world["course"], world["teacher_tx1"])
    return {"ana": ana, "luis": luis, "award": award, "enrollment": enrollment}


@pytest.mark.parametrize(
    ("version", "spec", "manifest"), [("1.2", SPEC_12, MANIFEST_12), ("1.1", SPEC_11, MANIFEST_11)]
)
def test_an_export_follows_the_standards_column_rules(world, earned, version, spec, manifest):
    data = export_oneroster([world["tx1"], world["tx2"]], version, world["coord_tx"])
    files = read_set(data)
    expected = {
        "manifest.csv",
        "orgs.csv",
        "academicSessions.csv",
        "courses.csv",
        "classes.csv",
        "users.csv",
        "enrollments.csv",
        "demographics.csv",
        "categories.csv",
        "lineItems.csv",
        "results.csv",
    } | ({"roles.csv"} if version == "1.2" else set())
    assert set(files) == expected
    check_against_spec(files, spec, manifest, version)


def test_the_gradebook_results_carry_each_units_score_and_the_final_grade_and_credit(world, earned):
    files = read_set(export_oneroster([world["tx1"]], "1.2", world["coord_tx"]))
    header, *rows = files["results.csv"]
    results = [dict(zip(header, row, strict=True)) for row in rows]
    ana_id = f"puente-student-{earned['ana'].id}"
    units = [
        r for r in results if r["studentSourcedId"] == ana_id and "-unit-" in r["lineItemSourcedId"]
    ]
    assert len(units) == 5 and {r["score"] for r in units} == {"75.0"}
    (final,) = [r for r in results if r["lineItemSourcedId"].endswith("-final")]
    assert final["score"] == f"{earned['award'].grade_percent:.1f}"
    assert (
        final["metadata.creditsGranted"] == "0.5" and final["metadata.creditSystem"] == "carnegie"
    )
    assert final["comment"] == "credit 0.5 carnegie"
    header, *users = files["users.csv"]
    names = {row[header.index("givenName")]: row for row in users}
    assert names["Ana"][header.index("familyName")] == "García López"
    assert names["Ana"][header.index("metadata.secondFamilyName")] == "López"
    assert names["Ana"][header.index("userIds")] == "{MSIX:123456789012}"
    assert names["Luis"][header.index("familyName")] == "'=Hernández"  # formula neutralised
    header, *demographics = files["demographics.csv"]
    assert [r[header.index("sex")] for r in demographics if r[0] == ana_id] == ["female"]


@pytest.mark.own_databases
def test_an_export_imported_into_a_fresh_puente_reproduces_the_roster(tmp_path):
    with (
        database_url(tmp_path, "source") as source_url,
        database_url(tmp_path, "fresh") as fresh_url,
    ):
        source, fresh = (_installation(url) for url in (source_url, fresh_url))
        with source.app_context():
            world = factories.make_world()
            ana = factories.make_student(
                world["tx1"],
                given_name="Ana",
                family_name="García",
                second_family_name="López",
                curp="GARA080101MMNRRN09",
                grade_level=9,
                sex="F",
            )
            factories.make_enrollment(ana, world["course"], world["teacher_tx1"])
            code = world["course"].course.code
            expected = _roster(Site.code.in_([world["tx1"].code]))
            data = export_oneroster([world["tx1"]], "1.2", world["coord_tx"])
            db.session.commit()
        with fresh.app_context():
            factories.make_course_version(code=code)
            admin = factories.make_user(Role.ADMIN)
            import_roster(read_zip(data), admin, "export.zip", data)
            db.session.commit()
            assert _roster(Site.code.in_([c for c, *_rest in expected])) == expected
        for app in (source, fresh):
            with app.app_context():
                db.engine.dispose()


def _installation(url: str):
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config)
    with app.app_context():
        db.create_all()
    return app


def _roster(where) -> set[tuple]:
    """(site code, state, given, family, second, sex, MSIX, CURP, grade, kind, course codes)."""
    rows = set()
    for student in db.session.scalars(select(Student).join(Site).where(where)):
        courses = tuple(
            sorted(
                e.course_version.course.code
                for e in db.session.scalars(
                    select(Enrollment).where(Enrollment.student_id == student.id)
                )
            )
        )
        rows.add(
            (
                student.site.code,
                student.site.state_code,
                student.given_name,
                student.family_name,
                student.second_family_name,
                student.sex,
                student.msix_id,
                student.curp,
                student.grade_level,
                student.kind.value,
                courses,
            )
        )
    return rows
