"""Course history CSV (MSIX-style fields): figures, scope, batches without N+1, accents."""

import csv
import io
from datetime import date, datetime

import pytest

from app.audit.models import AuditEvent
from app.certificates.facts import term_of
from app.common import utcnow
from app.credits.rules import rules_for
from app.credits.services import award_credit
from app.enrollments.services import withdraw_enrollment
from app.extensions import db
from app.grading.services import record_paper_scores
from app.records.history import COLUMNS, full_credit, iter_course_history, school_year
from app.users.models import Role
from tests import factories
from tests.query_counter import count_queries


def sign_in(client, user):
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


def scores(enrollment, teacher, tests: dict[int, list[float]]) -> None:
    """Paper unit tests: {unit number: [first try, retake]}."""
    for progress in enrollment.units:
        for percent in tests.get(progress.unit_number, []):
            record_paper_scores(progress, teacher, None, percent, date.today())


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for accents
    text = response.data.decode("utf-8-sig")
    assert "\r\n" in text
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in reader]


@pytest.fixture
def record(world):
    """José Ángel at TX site 1: Algebra completed with full credit, English with partial
    credit for units 1-3, History in progress (unit 1 passed, unit 2 failed once)."""
    teacher, coordinator = world["teacher_tx1"], world["coord_tx"]
    student = factories.make_student(
        world["tx1"],
        with_user=False,
        given_name="José Ángel",
        family_name="Núñez Peña",
        msix_id="123456789012",
        curp="NUPJ090314HMNXXS09",
        state_student_id="TX-778",
        birth_date=date(2009, 3, 14),
    )
    courses = {}
    for code, title_es in (
        ("ALG1A", "Álgebra I A"),
        ("ENG9A", "Inglés 9 A"),
        ("HIS1A", "Historia"),
    ):
        version = factories.make_course_version(code)
        version.title_es = title_es
        courses[code] = factories.make_enrollment(student, version, teacher)
    scores(courses["ALG1A"], teacher, {1: [80], 2: [90], 3: [70], 4: [85], 5: [75]})
    award_credit(courses["ALG1A"], coordinator)
    scores(courses["ENG9A"], teacher, {1: [80], 2: [70], 3: [90]})
    award_credit(courses["ENG9A"], coordinator)
    scores(courses["HIS1A"], teacher, {1: [65], 2: [40]})
    db.session.commit()  # as if saved earlier: a refused request rolls back its own work
    return student, courses


def test_one_student_history_states_each_course(client, world, record):
    student, _courses = record
    sign_in(client, world["teacher_tx1"])
    response = client.get(f"/records/students/{student.id}/course-history.csv")
    assert "course-history-nunez-pena-jose-angel.csv" in response.headers["Content-Disposition"]
    rows = {row["course_code"]: row for row in read_csv(response)}
    assert set(rows) == {"ALG1A", "ENG9A", "HIS1A"}
    today = utcnow()
    for row in rows.values():
        assert (row["msix_id"], row["curp"], row["state_student_id"]) == (
            "123456789012",
            "NUPJ090314HMNXXS09",
            "TX-778",
        )
        assert (row["given_name"], row["family_name"]) == ("José Ángel", "Núñez Peña")
        assert row["birth_date"] == "2009-03-14"
        assert (row["school_name"], row["school_code"], row["school_state"]) == (
            world["tx1"].name,
            world["tx1"].code,
            "US-TX",
        )
        assert (row["term"], row["school_year"]) == (term_of(today)["season"], school_year(today))
        assert (row["credits_attempted"], row["credit_system"]) == ("0.5", "carnegie")
        assert row["subject_area"] == "mathematics" and row["unit_count"] == "5"

    done = rows["ALG1A"]
    assert done["course_title_es"] == "Álgebra I A" and done["course_title_en"] == "Course ALG1A"
    assert (done["completion_status"], done["course_type"]) == ("completed", "pass_semester_course")
    assert (done["final_grade_percent"], done["final_grade_letter"], done["final_grade_sep"]) == (
        "80.0",
        "B",
        "8.0",
    )
    assert done["grade_to_date_percent"] == ""  # final once full credit is awarded
    assert (done["units_passed"], done["clock_hours"], done["credits_granted"]) == (
        "5",
        "90",
        "0.5",
    )
    assert done["completion_date"] == done["credit_award_date"] == today.date().isoformat()

    partial = rows["ENG9A"]
    assert partial["course_title_es"] == "Inglés 9 A"
    assert (partial["completion_status"], partial["course_type"]) == (
        "partial",
        "pass_semester_course_partial",
    )
    assert (partial["units_passed"], partial["clock_hours"], partial["credits_granted"]) == (
        "3",
        "54",
        "0.3",
    )
    assert (partial["final_grade_percent"], partial["final_grade_letter"]) == ("80.0", "B")
    assert (partial["grade_to_date_percent"], partial["grade_to_date_sep"]) == ("80.0", "8.0")
    assert partial["completion_date"] == "" and partial["credit_award_date"] != ""

    going = rows["HIS1A"]
    assert (going["completion_status"], going["course_type"]) == (
        "in_progress",
        "pass_semester_course",
    )
    # (65 + 40) / 2: failing grades are SEP 5.
    assert (
        going["grade_to_date_percent"],
        going["grade_to_date_letter"],
        going["grade_to_date_sep"],
    ) == ("52.5", "F", "5.0")
    assert (going["final_grade_percent"], going["credits_granted"], going["clock_hours"]) == (
        "",
        "0",
        "18",
    )
    assert going["start_date"] == today.date().isoformat() and going["credit_award_date"] == ""

    event = AuditEvent.query.filter_by(action="history.exported", student_id=student.id).one()
    assert event.data["enrollments"] == 3 and event.actor_id == world["teacher_tx1"].id


def test_a_withdrawn_course_without_credit_says_withdrawn(client, world, record):
    student, courses = record
    withdraw_enrollment(courses["HIS1A"], world["teacher_tx1"], "Moved to Michoacán")
    sign_in(client, world["coord_tx"])
    rows = {
        r["course_code"]: r
        for r in read_csv(client.get(f"/records/students/{student.id}/course-history.csv"))
    }
    assert rows["HIS1A"]["completion_status"] == "withdrawn"
    assert rows["HIS1A"]["completion_date"] == utcnow().date().isoformat()


def test_another_sites_student_is_refused(client, world, record):
    student, _courses = record
    for user in (world["teacher_tx2"], world["coord_nd"]):
        sign_in(client, user)
        assert client.get(f"/records/students/{student.id}/course-history.csv").status_code == 403
    sign_in(client, world["student_tx1"].user)
    assert client.get(f"/records/students/{student.id}/course-history.csv").status_code == 403


def export(client, **filters):
    """Start an export from the Students list's button, open its page, download the file."""
    started = client.post("/records/exports", data=filters)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    page = client.get(started.headers["Location"])
    assert page.status_code == 200
    link = page.get_data(as_text=True).split('href="/records/exports/', 1)[1].split('"', 1)[0]
    return download(client, "/records/exports/" + link)


def download(client, url: str):
    """The file, read whole and closed."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _rows_by_student(response) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for row in read_csv(response):
        rows.setdefault(row["puente_student_id"], []).append(row)
    return rows


def test_the_bulk_export_holds_only_the_users_scope(client, world, record):
    student, _courses = record
    for key in ("tx2", "nd"):
        factories.make_enrollment(world[f"student_{key}"], world["course"])
    sign_in(client, world["teacher_tx1"])
    assert set(_rows_by_student(export(client))) == {str(student.id)}
    sign_in(client, world["coord_tx"])
    tx = _rows_by_student(export(client))
    assert set(tx) == {str(student.id), str(world["student_tx2"].id)}
    assert len(tx[str(student.id)]) == 3
    # A site outside the user's scope gives nothing, not someone else's students.
    sign_in(client, world["teacher_tx2"])
    only_own = _rows_by_student(export(client, site=str(world["tx1"].id)))
    assert only_own == {}
    event = AuditEvent.query.filter_by(
        action="history.exported", actor_id=world["coord_tx"].id
    ).one()
    assert (event.data["students"], event.data["enrollments"]) == (2, 4)


def test_filters_narrow_the_export_and_a_bad_status_is_explained(client, world, record):
    student, _courses = record
    sign_in(client, world["coord_tx"])
    completed = read_csv(export(client, status="completed"))
    assert [r["course_code"] for r in completed] == ["ALG1A"]
    named = read_csv(export(client, q="Núñez", kind="secondary"))
    assert {r["puente_student_id"] for r in named} == {str(student.id)}
    refused = client.post(
        "/records/exports", data={"status": "finished"}, headers={"Accept-Language": "es"}
    )
    assert refused.status_code == 400
    assert "Estado desconocido" in refused.get_data(as_text=True)
    assert "finished" in refused.get_data(as_text=True)


def test_the_students_list_button_posts_its_filters(client, world):
    sign_in(client, world["coord_tx"])
    page = client.get(f"/students/?site={world['tx1'].id}&kind=osy&page=2").get_data(as_text=True)
    form = page.split('action="/records/exports"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form
    assert f'name="site" value="{world["tx1"].id}"' in form and 'name="kind" value="osy"' in form
    assert 'name="page"' not in form


def _add_students(world, how_many: int, *, own_site_and_course: bool = False) -> None:
    """Students at tx1 in world's course, or (own_site_and_course) each at a Texas site and in a
    course of its own, so a lazy load per row would add queries."""
    teacher, coordinator, course = world["teacher_tx1"], world["coord_tx"], world["course"]
    for n in range(how_many):
        site = world["tx1"]
        if own_site_and_course:
            site, course = factories.make_site("US-TX"), factories.make_course_version()
            teacher = factories.make_user(Role.TEACHER, site)
        student = factories.make_student(site, with_user=False, given_name=f"Pupil{n}")
        enrollment = factories.make_enrollment(student, course, teacher)
        scores(enrollment, teacher, {1: [70], 2: [90]})
        award_credit(enrollment, coordinator)


def _bulk_queries(client) -> tuple[int, int]:
    with count_queries() as statements:
        started = client.post("/records/exports")  # the job runs in the request in tests
    rows = read_csv(download(client, started.headers["Location"] + "/course-history.csv"))
    return len(statements), len(rows)


def test_the_bulk_export_runs_the_same_queries_for_more_students(client, world, record):
    sign_in(client, world["coord_tx"])
    _add_students(world, 2, own_site_and_course=True)
    db.session.expire_all()
    few, rows_few = _bulk_queries(client)
    _add_students(world, 12, own_site_and_course=True)
    db.session.expire_all()
    many, rows_many = _bulk_queries(client)
    assert rows_many == rows_few + 12
    assert many == few, (few, many)


def test_batches_keep_every_row_once_in_student_order(world, record):
    _add_students(world, 5)
    whole = [row for batch in iter_course_history(world["admin"], {}) for row in batch]
    batches = list(iter_course_history(world["admin"], {}, batch_size=2))
    assert len(batches) == (len(whole) + 1) // 2
    assert [row for batch in batches for row in batch] == whole
    ids = [int(row[0]) for row in whole]
    assert ids == sorted(ids) and len(whole) == 3 + 5


def test_formula_like_names_are_kept_as_text(client, world):
    student = factories.make_student(
        world["tx1"], with_user=False, family_name="=cmd|' /C calc'!A0"
    )
    factories.make_enrollment(student, world["course"])
    sign_in(client, world["admin"])
    (row,) = read_csv(client.get(f"/records/students/{student.id}/course-history.csv"))
    assert row["family_name"] == "'=cmd|' /C calc'!A0"


def test_school_years_run_august_to_july_and_credit_follows_the_state():
    assert school_year(datetime(2025, 9, 3)) == "2025-2026"
    assert school_year(datetime(2026, 7, 31)) == "2025-2026"
    assert school_year(datetime(2026, 8, 1)) == "2026-2027"
    version = type("V", (), {"credit": 0.5})()
    assert full_credit(version, rules_for("US-CA")) == 5.0
    assert full_credit(version, rules_for("US-TX")) == 0.5
