"""The student dashboard and the students list: a fixed number of queries, however much data."""

import html
import re

from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.query_counter import count_queries, rendering


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
    assert len(rendering(many)) == len(few), "\n".join(many)


def test_students_list_query_count_does_not_grow_with_students(world, auth, client):
    def add(n):
        # Each student at a Texas site of its own, in a course of its own: a per-row lazy load
        # of either would add queries.
        for _ in range(n):
            student = factories.make_student(factories.make_site("US-TX"))
            factories.make_enrollment(student, factories.make_course_version(units=3))
        db.session.commit()
        db.session.commit()  # the test's rows, not the page's work: a commit counts their sites

    auth.login(world["coord_tx"])
    add(2)
    with count_queries() as few:
        assert client.get("/students/").status_code == 200
    add(10)
    with count_queries() as many:
        page = client.get("/students/").get_data(as_text=True)
    assert len(rendering(many)) == len(few), "\n".join(many)
    assert page.count("/students/") >= 14


def _flat(statements: list[str]) -> list[str]:
    return [" ".join(s.split()) for s in statements]


def test_a_states_students_list_pages_on_the_student_table_alone(world, auth, client):
    """A coordinator's list reads the page's ids from the student table (its scope as site ids,
    no subquery joined to every row), then loads those students: two statements on `student`
    whatever the state's size, a third (the capped count) only when there are more pages."""
    for n in range(3):
        factories.make_student(factories.make_site("US-TX"), family_name=f"Zz{n}")
    db.session.commit()
    auth.login(world["coord_tx"])
    with count_queries() as statements:
        page = client.get("/students/").get_data(as_text=True)
    assert all(f"Zz{n}" in page for n in range(3))
    on_students = [s for s in _flat(statements) if "FROM student" in s]
    keys, load = on_students
    # the key, and the order values the next link names (keyset paging)
    assert keys.startswith(
        "SELECT student.id, student.family_name, student.given_name FROM student "
        "WHERE student.site_id IN ("
    )
    assert "JOIN" not in keys and "SELECT site" not in keys
    assert "ORDER BY student.family_name, student.given_name, student.id" in keys
    assert "WHERE student.id IN (" in load


def test_the_students_list_counts_up_to_the_cap(app, world, auth, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 4)
    site = factories.make_site("US-TX")
    for n in range(7):
        factories.make_student(site, family_name=f"Yy{n}")
    teacher = factories.make_user(Role.TEACHER, site)
    db.session.commit()
    auth.login(teacher)
    first = client.get("/students/").get_data(as_text=True)
    assert "Yy0" in first and "Yy1" in first and "Yy2" not in first
    assert "Page 1 of more than 2" in first
    assert "Page 2 of more than 2" in client.get("/students/?page=2").get_data(as_text=True)
    # Past the first cap the count goes on to the next multiple: 7 students, 8 counted at most.
    third = client.get("/students/?page=3").get_data(as_text=True)
    assert "Yy4" in third and "Yy5" in third and "Page 3 of 4" in third
    gradebook = client.get("/grading/gradebook").get_data(as_text=True)
    assert "More than 4 students" in gradebook


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found.group(1)) if found else None


def test_the_students_list_pages_by_keyset_without_offset(app, world, auth, client, monkeypatch):
    """Next and Previous name the row the page starts after (before) by its id alone (no name
    in the URL): walking the list gives every student once, in order, as paging by number
    does, each page from that row."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 4)
    site = factories.make_site("US-TX")
    students = {}
    for n in (3, 0, 6, 1, 5, 2, 4):
        students[n] = factories.make_student(site, family_name=f"Kk{n}", given_name="Same")
    teacher = factories.make_user(Role.TEACHER, site)
    db.session.commit()
    auth.login(teacher)
    url, walked, pages = "/students/", [], []
    while url:
        with count_queries() as statements:
            page = client.get(url).get_data(as_text=True)
        if url != "/students/":
            assert re.fullmatch(r"/students/\?page=\d&after=\d+", url), url
            # (SQLite's dialect writes OFFSET 0 after any LIMIT: the row comparison is the test)
            assert any(
                "(student.family_name, student.given_name, student.id) >" in s
                for s in _flat(statements)
            )
        walked += re.findall(r"Kk\d", page)
        pages.append(re.search(r"Page \d+ of[^<]*", page).group(0))
        url = _link(page, "next")
    assert walked == [f"Kk{n}" for n in range(7)]
    assert pages == ["Page 1 of more than 2", "Page 2 of more than 2", "Page 3 of 4", "Page 4 of 4"]
    numbered = client.get("/students/?page=3").get_data(as_text=True)
    assert re.findall(r"Kk\d", numbered) == ["Kk4", "Kk5"]
    back = client.get(_link(page, "prev")).get_data(as_text=True)
    assert re.findall(r"Kk\d", back) == ["Kk4", "Kk5"] and "Page 3 of 4" in back
    second = client.get(_link(back, "prev")).get_data(as_text=True)
    assert re.findall(r"Kk\d", second) == ["Kk2", "Kk3"] and "Page 2 of" in second
    # Back to the start: exactly a page before the first row shown is page 1, without a Previous.
    first = client.get(_link(second, "prev")).get_data(as_text=True)
    assert re.findall(r"Kk\d", first) == ["Kk0", "Kk1"] and "Page 1 of" in first
    assert _link(first, "prev") is None
    # A row no longer in the list (moved away) names nothing: the page is found by number.
    other = factories.make_site("US-TX")
    students[2].site_id = other.id
    db.session.commit()
    moved = client.get(f"/students/?page=3&after={students[2].id}").get_data(as_text=True)
    assert re.findall(r"Kk\d", moved) == ["Kk5", "Kk6"] and _link(moved, "prev")


def test_a_key_that_names_no_row_of_the_list_pages_by_number(world, auth, client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    site = factories.make_site("US-TX")
    for n in range(5):
        factories.make_student(site, family_name=f"Jj{n}")
    elsewhere = factories.make_student(factories.make_site("US-CA"), family_name="Jj0a")
    teacher = factories.make_user(Role.TEACHER, site)
    db.session.commit()
    auth.login(teacher)
    for key in ("%%%", "abc", "-3", "0", "99999999999", "2147483648", str(elsewhere.id)):
        for direction in ("after", "before"):
            response = client.get("/students/", query_string={"page": 2, direction: key})
            assert response.status_code == 200, key
            assert re.findall(r"Jj\d\w?", response.get_data(as_text=True)) == ["Jj2", "Jj3"], key
