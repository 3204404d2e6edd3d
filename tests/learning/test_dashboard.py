"""The student dashboard and the students list: a fixed number of queries, however much data."""

from app.extensions import db
from tests import factories
from tests.query_counter import count_queries


def test_dashboard_query_count_does_not_grow_with_courses(world, auth, client):
    student = world["student_tx1"]
    factories.make_enrollment(student, world["course"])
    db.session.commit()
    auth.login(student.user)
    with count_queries() as few:
        page = client.get("/learn/")
    assert page.status_code == 200
    for n in range(3):
        factories.make_enrollment(student, factories.make_course_version(code=f"MORE{n}"))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        page = client.get("/learn/")
    assert page.get_data(as_text=True).count('data-testid="enrollment"') == 4
    assert len(few) > 2
    assert len(many) == len(few), "\n".join(many)


def test_students_list_query_count_does_not_grow_with_students(world, auth, client):
    def add(n):
        # Each student at a Texas site of its own, in a course of its own: a per-row lazy load
        # of either would add queries.
        for _ in range(n):
            student = factories.make_student(factories.make_site("US-TX"))
            factories.make_enrollment(student, factories.make_course_version(units=3))
        db.session.commit()
        db.session.expire_all()

    auth.login(world["coord_tx"])
    add(2)
    with count_queries() as few:
        assert client.get("/students/").status_code == 200
    add(10)
    with count_queries() as many:
        page = client.get("/students/").get_data(as_text=True)
    assert len(many) == len(few), "\n".join(many)
    assert page.count("/students/") >= 14
