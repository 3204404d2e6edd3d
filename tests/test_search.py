"""One search for every list: accents and case ignored, `%` and `_` taken literally."""

from sqlalchemy import insert, select, text
from werkzeug.datastructures import MultiDict

from app.admin.services import filter_users
from app.common import utcnow
from app.extensions import db
from app.grading.services import grading_queue_keys
from app.learning.student_list import filter_students
from app.search import fold, like_pattern
from app.sites.services import filter_sites
from app.students.models import Student
from app.students.services import update_student_identity
from app.users.models import Role
from tests import factories


def ids(stmt) -> set[int]:
    return {row.id for row in db.session.scalars(stmt)}


def test_fold_and_pattern():
    assert fold("Núñez ÁLVAREZ") == "nunez alvarez"
    assert like_pattern("50%_a\\") == r"%50\%\_a\\%"


def test_the_student_list_ignores_accents_and_case_and_escapes_wildcards(world):
    nunez = factories.make_student(world["tx1"], given_name="José", family_name="Núñez")
    percent = factories.make_student(world["tx1"], given_name="Ana", family_name="Cien%Por")
    admin = world["admin"]
    for q in ("nunez", "NÚÑEZ", "jose nunez", "Jose Núñez"):
        assert nunez.id in ids(filter_students(admin, MultiDict({"q": q}))), q
    assert ids(filter_students(admin, MultiDict({"q": "%"}))) == {percent.id}
    assert ids(filter_students(admin, MultiDict({"q": "n_nez"}))) == set()


def test_admin_lists_and_the_grading_queue_use_the_same_search(world):
    site = factories.make_site(name="Centro Educativo Querétaro")
    user = factories.make_user(Role.TEACHER, site, given_name="Ramón", family_name="Ibáñez")
    assert site.id in ids(filter_sites(MultiDict({"q": "queretaro"})))
    assert ids(filter_sites(MultiDict({"q": "_"}))) == set()
    assert user.id in ids(filter_users(MultiDict({"q": "ibanez"})))
    assert ids(filter_users(MultiDict({"q": "ram%"}))) == set()
    student = factories.make_student(world["tx1"], given_name="Inés", family_name="Peña")
    progress = factories.make_enrollment(student, world["course"]).units[0]
    attempt = factories.make_submitted_test(progress)
    assert attempt.id in set(
        db.session.scalars(grading_queue_keys(world["admin"], MultiDict({"q": "ines pena"})))
    )
    assert (
        set(db.session.scalars(grading_queue_keys(world["admin"], MultiDict({"q": "pe_a"}))))
        == set()
    )


def test_the_stored_search_name_follows_every_name_change(world):
    student = factories.make_student(world["tx1"], given_name="Inés", family_name="Peña")
    assert student.search_name == "ines pena"
    data = {
        "given_name": "María Inés",
        "family_name": "Peña",
        "second_family_name": "Ávila",
        "kind": student.kind.value,
    }
    update_student_identity(student, world["admin"], data)
    assert student.search_name == "maria ines pena avila"
    for q in ("Garcia", "PENA AVILA", "maría"):
        found = ids(filter_students(world["admin"], MultiDict({"q": q})))
        assert (student.id in found) == (q != "Garcia"), q


def test_a_bulk_insert_that_leaves_the_search_name_out_still_gets_it(world):
    db.session.execute(
        insert(Student),
        [
            {"site_id": world["tx1"].id, "given_name": g, "family_name": f, "created_at": utcnow()}
            for g, f in (("Ángel", "GARCÍA"), ("Lía", "Muñoz"))
        ],
    )
    names = db.session.scalars(
        select(Student.search_name).where(Student.given_name.in_(["Ángel", "Lía"]))
    ).all()
    assert sorted(names) == ["angel garcia", "lia munoz"]


def test_on_postgresql_a_name_part_is_found_through_the_trigram_index(world):
    """LIKE '%part%' (with its ESCAPE) is answered by ix_student_search_trgm, not by reading
    every name: checked on the statement the students list sends (SQLite has no such index)."""
    if db.engine.dialect.name != "postgresql":
        return
    nunez = factories.make_student(world["tx1"], given_name="José", family_name="Núñez")
    stmt = filter_students(world["admin"], MultiDict({"q": "nunez"}))
    # A test table is tiny: with table and plain index scans off, only an index that can
    # answer LIKE '%nunez%' itself (a bitmap scan needs a condition it can use) is chosen.
    for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
        db.session.execute(text(f"SET LOCAL {setting} = off"))
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_student_search_trgm" in plan, plan
    assert nunez.id in ids(stmt)
