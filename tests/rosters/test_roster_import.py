"""OneRoster import: what it writes, that a second import changes nothing, every bad row reported."""

import io

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.enrollments.models import Enrollment, UnitProgress
from app.extensions import db
from app.rosters.files import read_zip
from app.rosters.models import RosterImport
from app.rosters.services import RosterError, import_roster
from app.sites.models import Site
from app.students.models import Student, StudentKind
from tests import factories
from tests.rosters.helpers import csv_text, enrollment, user, zip_of


def run(files, by):
    data = zip_of(files)
    return import_roster(read_zip(data), by, "roster.zip", data)


def problems_of(files, by) -> set[tuple]:
    try:
        run(files, by)
    except RosterError as error:
        return {(p.file, p.line, p.field) for p in error.problems}
    raise AssertionError("the roster was imported")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_roster_adds_students_and_enrollments_pinned_to_the_current_version(world, roster_set):
    record = run(roster_set, world["admin"])
    ana = db.session.scalar(select(Student).where(Student.roster_id == "u-ana"))
    assert (ana.given_name, ana.family_name, ana.site_id) == ("Ana", "García", world["tx1"].id)
    assert (ana.msix_id, ana.curp, ana.state_student_id) == (
        "123456789012",
        "GARA080101MMNRRN09",
        "TX-1001",
    )
    assert (ana.birth_date.isoformat(), ana.grade_level, ana.kind) == (
        "2008-01-01",
        9,
        StudentKind.SECONDARY,
    )
    assert ana.user_id is None  # a roster gives no sign-in
    enrollment_ = db.session.scalar(select(Enrollment).where(Enrollment.student_id == ana.id))
    assert enrollment_.course_version_id == world["course"].id
    assert enrollment_.assigned_by_id == world["teacher_tx1"].id  # the class's teacher, by email
    assert enrollment_.target_date.isoformat() == "2099-06-01"
    assert [u.unit_number for u in enrollment_.units] == [1, 2, 3, 4, 5]
    assert all(u.status == "not_started" for u in enrollment_.units)
    assert record.counts["students_created"] == 2
    assert record.counts["enrollments_created"] == 2
    assert record.counts["sites_matched"] == 1 and record.counts["staff_matched"] == 1
    assert world["tx1"].roster_id == "org-tx1"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.imported"))
    assert event.actor_id == world["admin"].id and event.data["students_created"] == 2


def test_importing_the_same_roster_twice_changes_nothing(world, roster_set):
    run(roster_set, world["admin"])
    before = (count(Student), count(Enrollment), count(UnitProgress), count(Site))
    second = run(roster_set, world["admin"])
    assert (count(Student), count(Enrollment), count(UnitProgress), count(Site)) == before
    assert second.counts["students_created"] == 0
    assert second.counts["students_updated"] == 0
    assert second.counts["enrollments_kept"] == 2


def test_a_changed_row_updates_the_student_and_keeps_what_the_roster_leaves_out(world, roster_set):
    run(roster_set, world["admin"])
    roster_set["users.csv"][0]["familyName"] = "García López"
    roster_set["demographics.csv"] = [{"sourcedId": "u-luis", "birthDate": "2007-05-05"}]
    second = run(roster_set, world["admin"])
    ana = db.session.scalar(select(Student).where(Student.roster_id == "u-ana"))
    assert ana.family_name == "García López"
    assert ana.birth_date.isoformat() == "2008-01-01"  # not in this file's demographics: kept
    assert second.counts["students_updated"] == 2


def test_a_student_is_matched_by_msix_id_and_keeps_an_active_course(world, roster_set):
    existing = factories.make_student(world["tx2"], msix_id="123456789012")
    factories.make_enrollment(existing, world["course"])
    record = run(roster_set, world["admin"])
    db.session.refresh(existing)
    assert existing.roster_id == "u-ana"
    assert existing.site_id == world["tx1"].id  # the roster places her at tx1
    assert count(Enrollment) == 2  # hers stays; Luis gets one
    assert record.counts["enrollments_kept"] == 1


def test_an_admin_roster_creates_a_new_school_as_a_site_in_its_state(world, roster_set):
    roster_set["orgs.csv"].append(
        {
            "sourcedId": "org-new",
            "status": "",
            "dateLastModified": "",
            "name": "Escuela Nueva",
            "type": "school",
            "identifier": "NEW-01",
            "parentSourcedId": "org-tx",
        }
    )
    roster_set["users.csv"][1]["primaryOrgSourcedId"] = "org-new"
    run(roster_set, world["admin"])
    site = db.session.scalar(select(Site).where(Site.code == "NEW-01"))
    assert (site.name, site.state_code, site.roster_id) == ("Escuela Nueva", "US-TX", "org-new")
    luis = db.session.scalar(select(Student).where(Student.roster_id == "u-luis"))
    assert luis.site_id == site.id


def test_every_bad_row_is_reported_with_file_line_and_field_and_nothing_is_written(
    world, roster_set
):
    roster_set["users.csv"][0]["userIds"] = "{MSIX:12345}"
    roster_set["users.csv"][1]["grades"] = "tenth"
    roster_set["users.csv"].append(user("u-x", "", "Sin Nombre", "org-tx1"))
    roster_set["enrollments.csv"].append(enrollment("e-x", "cls-1", "u-x"))
    roster_set["users.csv"].append(user("u-ana", "Ana", "Otra", "org-tx1"))
    roster_set["orgs.csv"][0]["type"] = "county"
    roster_set["demographics.csv"][0]["birthDate"] = "01/01/2008"
    roster_set["enrollments.csv"].append(enrollment("e-9", "cls-none", "u-luis"))
    roster_set["enrollments.csv"].append(enrollment("e-10", "cls-1", "u-nobody"))
    roster_set["classes.csv"].append(
        dict(roster_set["classes.csv"][0], sourcedId="cls-2", courseSourcedId="NOPE", classCode="")
    )
    students = count(Student)
    found = problems_of(roster_set, world["admin"])
    assert {
        ("users.csv", 2, "userIds"),  # MSIX ID not 12 digits
        ("users.csv", 3, "grades"),
        ("users.csv", 5, "givenName"),
        ("users.csv", 6, "sourcedId"),  # repeated
        ("orgs.csv", 2, "type"),  # not a OneRoster org type
        ("demographics.csv", 2, "birthDate"),
    } <= found
    assert count(Student) == students and count(RosterImport) == 0


def test_course_codes_and_references_are_checked_against_this_installation(world, roster_set):
    roster_set["classes.csv"].append(
        dict(roster_set["classes.csv"][0], sourcedId="cls-2", courseSourcedId="NOPE", classCode="")
    )
    roster_set["enrollments.csv"].append(enrollment("e-10", "cls-1", "u-nobody"))
    roster_set["enrollments.csv"].append(enrollment("e-9", "cls-none", "u-luis"))
    found = problems_of(roster_set, world["admin"])
    assert ("enrollments.csv", 5, "userSourcedId") in found
    assert ("enrollments.csv", 6, "classSourcedId") in found  # nor from an earlier import
    roster_set["enrollments.csv"].pop()
    roster_set["enrollments.csv"].pop()
    assert problems_of(roster_set, world["admin"]) == {("classes.csv", 3, "courseSourcedId")}


def test_a_missing_file_a_missing_column_and_a_ragged_row_are_reported(world, roster_set):
    del roster_set["classes.csv"]
    for row in roster_set["users.csv"]:
        del row["familyName"]
    roster_set["enrollments.csv"] = csv_text(roster_set["enrollments.csv"]).replace(
        "e-2,,,cls-1", "e-2,,,,cls-1"
    )
    data = zip_of(roster_set)
    try:
        import_roster(read_zip(data), world["admin"], "r.zip", data)
    except RosterError as error:
        found = {(p.file, p.line, p.field) for p in error.problems}
    assert ("classes.csv", None, None) in found
    assert ("users.csv", 1, "familyName") in found
    assert ("enrollments.csv", 3, None) in found
    assert {(p.file, p.field) for p in read_zip(b"not a zip").problems} == {("", None)}


def test_two_schools_with_one_site_code_are_refused(world, roster_set):
    roster_set["orgs.csv"].append(dict(roster_set["orgs.csv"][2], sourcedId="org-copy"))
    assert problems_of(roster_set, world["admin"]) == {("orgs.csv", 5, "identifier")}


def test_a_coordinator_imports_only_into_sites_of_their_state(world, roster_set):
    found = problems_of(roster_set, world["coord_nd"])
    assert ("orgs.csv", 4, "sourcedId") in found  # tx1 is not theirs
    roster_set["orgs.csv"][2]["identifier"] = "NO-SUCH-SITE"
    assert ("orgs.csv", 4, "identifier") in problems_of(roster_set, world["coord_tx"])


def test_a_student_of_another_state_cannot_be_taken_over_by_a_roster(world, roster_set):
    factories.make_student(world["nd"], curp="GARA080101MMNRRN09")
    found = problems_of(roster_set, world["coord_tx"])
    assert found == {("users.csv", 2, "userIds")}


def test_the_page_imports_a_zip_and_shows_what_changed(client, auth, world, roster_set):
    auth.login(world["coord_tx"])
    response = client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(zip_of(roster_set)), "tx.zip")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="roster-result"' in page
    assert "tx.zip" in page and count(RosterImport) == 1


def test_the_page_lists_problems_in_spanish_and_answers_400(client, auth, world, roster_set):
    roster_set["users.csv"][0]["userIds"] = "{CURP:XYZ}"
    auth.login(world["coord_tx"])
    client.post("/language", data={"locale": "es"})
    response = client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(zip_of(roster_set)), "tx.zip")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "no es una CURP válida" in page and "<td>users.csv</td><td>2</td><td>userIds</td>" in page
    )
    assert count(Student) == 3  # the world's students only


def test_the_command_imports_a_folder(runner, world, roster_set, tmp_path):
    for name, rows in roster_set.items():
        (tmp_path / name).write_text(csv_text(rows), encoding="utf-8")
    db.session.commit()
    result = runner.invoke(args=["rosters", "import", str(tmp_path), "--as", world["admin"].email])
    assert result.exit_code == 0, result.output
    assert "students created: 2" in result.output
    bad = runner.invoke(
        args=["rosters", "import", str(tmp_path), "--as", world["teacher_tx1"].email]
    )
    assert bad.exit_code != 0 and "not a coordinator" in bad.output


def test_the_page_sends_a_state_sized_file_to_the_command(
    app, client, auth, world, roster_set, monkeypatch
):
    monkeypatch.setitem(app.config, "ROSTER_MAX_BYTES", 100)
    monkeypatch.setitem(app.config, "ROSTER_JOB_MAX_BYTES", 100)
    auth.login(world["coord_tx"])
    response = client.post(
        "/rosters/",
        data={"roster": (io.BytesIO(zip_of(roster_set)), "tx.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "flask rosters import" in response.get_data(as_text=True)
    assert count(RosterImport) == 0


def test_rows_read_again_for_the_writing_are_the_rows_checked(world, roster_set):
    """The set is streamed (checked, planned, matched and written in separate passes): a quoted
    line break, a repeated student-class line and a school taken from roles.csv come out the
    same in every pass, and a later problem still names its physical line."""
    roster_set["users.csv"][1]["givenName"] = "Luis\nAlberto"
    roster_set["users.csv"][1]["primaryOrgSourcedId"] = ""  # its school from its role's org
    roster_set["roles.csv"].append(
        {**roster_set["roles.csv"][0], "sourcedId": "r2", "userSourcedId": "u-luis"}
        | {"role": "student", "orgSourcedId": "org-tx1"}
    )
    roster_set["enrollments.csv"].append(enrollment("e-9", "cls-1", "u-luis"))
    record = run(roster_set, world["admin"])
    luis = db.session.scalar(select(Student).where(Student.roster_id == "u-luis"))
    assert (luis.given_name, luis.site_id) == ("Luis\nAlberto", world["tx1"].id)
    assert record.counts["enrollments_created"] == 2 and record.counts["enrollments_kept"] == 0
    assert count(Enrollment) == 2 and count(UnitProgress) == 10
    roster_set["users.csv"].append(user("u-bad", "Bad", "Grade", "org-tx1", grades="14"))
    roster_set["roles.csv"].append(
        {**roster_set["roles.csv"][1], "sourcedId": "r3", "userSourcedId": "u-bad"}
    )
    assert ("users.csv", 6, "grades") in problems_of(roster_set, world["admin"])
