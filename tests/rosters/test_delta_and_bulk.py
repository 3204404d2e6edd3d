"""Delta and bulk semantics: add, change, tobedeleted, and an unchanged set re-imported."""

from sqlalchemy import func, select

from app.enrollments.models import Enrollment, EnrollmentStatus
from app.extensions import db
from app.rosters.files import read_zip
from app.rosters.services import import_roster
from app.students.models import Student
from tests import factories
from tests.rosters.helpers import enrollment, user, zip_of


def run(files, by):
    data = zip_of(files)
    return import_roster(read_zip(data), by, "roster.zip", data)


def delta(**files):
    manifest = [{"propertyName": "oneroster.version", "value": "1.2"}] + [
        {"propertyName": f"file.{name}", "value": "delta"} for name in files
    ]
    return {"manifest.csv": manifest, **{f"{name}.csv": rows for name, rows in files.items()}}


def status_of(sourced_id):
    return db.session.scalar(select(Enrollment.status).where(Enrollment.roster_id == sourced_id))


def student(sourced_id):
    return db.session.scalar(select(Student).where(Student.roster_id == sourced_id))


def test_a_delta_adds_a_student_and_an_enrollment_to_an_earlier_school_and_class(world, roster_set):
    run(roster_set, world["admin"])
    record = run(
        delta(
            users=[user("u-eva", "Eva", "Ruiz", "org-tx1")],
            enrollments=[enrollment("e-4", "cls-1", "u-eva")],
        ),
        world["admin"],
    )
    eva = student("u-eva")
    assert eva.site_id == world["tx1"].id
    assert status_of("e-4") == EnrollmentStatus.ACTIVE
    assert (record.counts["students_created"], record.counts["enrollments_created"]) == (1, 1)
    assert record.counts["enrollments_withdrawn"] == 0  # a delta withdraws only what it says


def test_a_delta_changes_a_student_and_leaves_the_others(world, roster_set):
    run(roster_set, world["admin"])
    changed = user("u-luis", "Luis Alberto", "Hernández", "org-tx1", grades="12")
    record = run(delta(users=[changed]), world["admin"])
    assert (student("u-luis").given_name, student("u-luis").grade_level) == ("Luis Alberto", 12)
    assert student("u-ana").given_name == "Ana"
    assert record.counts["students_updated"] == 1 and status_of("e-1") == EnrollmentStatus.ACTIVE


def test_a_delta_tobedeleted_withdraws_the_enrollment_and_keeps_its_work(world, roster_set):
    run(roster_set, world["admin"])
    ana = student("u-ana")
    progress = db.session.scalar(select(Enrollment).where(Enrollment.roster_id == "e-1")).units[0]
    factories.pass_unit(progress)
    gone = dict(enrollment("e-1", "cls-1", "u-ana"), status="tobedeleted")
    record = run(delta(enrollments=[gone]), world["admin"])
    assert status_of("e-1") == EnrollmentStatus.WITHDRAWN
    kept = db.session.scalar(select(Enrollment).where(Enrollment.roster_id == "e-1"))
    assert kept.units[0].best_test_percent is not None and kept.student_id == ana.id
    assert record.counts["enrollments_withdrawn"] == 1
    assert status_of("e-2") == EnrollmentStatus.ACTIVE


def test_a_delta_reimported_unchanged_changes_nothing(world, roster_set):
    run(roster_set, world["admin"])
    change = delta(
        users=[user("u-eva", "Eva", "Ruiz", "org-tx1")],
        enrollments=[enrollment("e-4", "cls-1", "u-eva")],
    )
    run(change, world["admin"])
    again = run(change, world["admin"])
    assert again.counts["students_created"] == again.counts["students_updated"] == 0
    assert again.counts["enrollments_created"] == 0 and again.counts["enrollments_kept"] == 1


def test_a_bulk_set_withdraws_the_enrollments_it_no_longer_lists(world, roster_set):
    run(roster_set, world["admin"])
    roster_set["enrollments.csv"] = [
        e for e in roster_set["enrollments.csv"] if e["sourcedId"] != "e-2"
    ]
    roster_set["users.csv"][1]["familyName"] = "Hernández Soto"  # a change
    roster_set["users.csv"].append(user("u-eva", "Eva", "Ruiz", "org-tx1"))  # an addition
    roster_set["enrollments.csv"].append(enrollment("e-4", "cls-1", "u-eva"))
    enrollments = db.session.scalar(select(func.count()).select_from(Enrollment))
    record = run(roster_set, world["admin"])
    assert status_of("e-2") == EnrollmentStatus.WITHDRAWN  # withdrawn, not deleted
    assert status_of("e-1") == status_of("e-4") == EnrollmentStatus.ACTIVE
    assert student("u-luis").family_name == "Hernández Soto"
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == enrollments + 1
    assert record.counts["enrollments_withdrawn"] == 1


def test_a_bulk_tobedeleted_row_withdraws_and_an_unchanged_bulk_set_changes_nothing(
    world, roster_set
):
    run(roster_set, world["admin"])
    roster_set["enrollments.csv"][1]["status"] = "tobedeleted"
    first = run(roster_set, world["admin"])
    assert (
        first.counts["enrollments_withdrawn"] == 1
        and status_of("e-2") == EnrollmentStatus.WITHDRAWN
    )
    again = run(roster_set, world["admin"])
    assert again.counts["enrollments_withdrawn"] == again.counts["enrollments_created"] == 0
    assert again.counts["students_updated"] == 0


def test_a_delta_naming_an_unknown_class_or_student_is_refused_with_lines(world, roster_set):
    run(roster_set, world["admin"])
    from app.rosters.services import RosterError

    try:
        run(
            delta(
                enrollments=[enrollment("e-5", "cls-x", "u-ana"), enrollment("e-6", "cls-1", "u-x")]
            ),
            world["admin"],
        )
    except RosterError as error:
        where = {(p.file, p.line, p.field) for p in error.problems}
    else:
        raise AssertionError("imported")
    assert where == {
        ("enrollments.csv", 2, "classSourcedId"),
        ("enrollments.csv", 3, "userSourcedId"),
    }


def test_a_delta_naming_a_school_of_another_state_is_refused_at_its_line(world, roster_set):
    run(roster_set, world["admin"])
    from app.rosters.services import RosterError

    try:
        run(
            delta(
                users=[user("u-eva", "Eva", "Ruiz", "org-tx1")],
                enrollments=[enrollment("e-4", "cls-1", "u-eva")],
            ),
            world["coord_nd"],
        )
    except RosterError as error:
        where = {(p.file, p.line, p.field) for p in error.problems}
    else:
        raise AssertionError("imported")
    assert where == {
        ("users.csv", 2, "primaryOrgSourcedId"),
        ("enrollments.csv", 2, "classSourcedId"),
    }
