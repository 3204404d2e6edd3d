"""Students (filters, pagination, bad input) and courses (current versions, units, counts)."""

import pytest

from app.extensions import db
from tests import factories
from tests.api.helpers import api_get, pagination, token_for


def test_student_record_fields(client, world):
    student = factories.make_student(
        world["tx1"], msix_id="123456789012", curp="GOMA050101HMNRRNA1"
    )
    response = api_get(client, f"/api/v1/students/{student.id}", world["teacher_tx1"])
    body = response.json
    assert body["msix_id"] == "123456789012" and body["curp"] == "GOMA050101HMNRRNA1"
    assert body["kind"] == "secondary" and body["grade_level"] == 10
    assert body["site"] == {
        "id": world["tx1"].id,
        "code": world["tx1"].code,
        "name": world["tx1"].name,
        "state_code": "US-TX",
    }


def test_student_filters(client, world):
    target = factories.make_student(
        world["tx2"], family_name="Zamora", msix_id="000000000042", curp="ZAMA050101HMNRRNA1"
    )
    token = token_for(world["coord_tx"])

    def ids(**query):
        response = api_get(client, "/api/v1/students", token, **query)
        assert response.status_code == 200, response.json
        return {row["id"] for row in response.json}

    assert ids(q="zamora") == {target.id}
    assert ids(msix_id="000000000042") == {target.id}
    assert ids(curp="zama050101hmnrrna1") == {target.id}
    assert ids(site=world["tx2"].code) == {target.id, world["student_tx2"].id}
    assert ids(site=world["nd"].code) == set()  # a site outside the scope
    assert ids(site="NO-SUCH-SITE") == set()


@pytest.mark.parametrize(
    "query",
    [
        {"msix_id": "12ab"},
        {"curp": "SHORT"},
        {"page": "abc"},
        {"page": 0},
        {"page_size": 100000},
        {"page_size": "x"},
        {"page_size": 0},
    ],
)
def test_bad_query_is_422_json(client, world, query):
    response = api_get(client, "/api/v1/students", world["admin"], **query)
    assert response.status_code == 422
    assert response.mimetype == "application/json"
    assert response.json["code"] == 422 and response.json["errors"]["query"]


def test_students_are_paginated(client, world):
    for n in range(4):
        factories.make_student(world["nd"], family_name=f"Page{n}")
    token = token_for(world["coord_nd"])  # student_nd plus these four
    first = api_get(client, "/api/v1/students", token, page_size=2)
    assert first.status_code == 200 and len(first.json) == 2
    meta = pagination(first)
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["next_page"] == 2
    last = api_get(client, "/api/v1/students", token, page_size=2, page=3)
    assert len(last.json) == 1 and pagination(last)["previous_page"] == 2
    pages = [
        api_get(client, "/api/v1/students", token, page_size=2, page=p).json for p in (1, 2, 3)
    ]
    seen = [row["id"] for page in pages for row in page]
    assert len(seen) == len(set(seen)) == 5
    beyond = api_get(client, "/api/v1/students", token, page_size=2, page=9)
    assert beyond.status_code == 200 and beyond.json == []


def test_course_list_shows_current_versions_only(client, world):
    old = factories.make_course_version(code="ALG1", version="1.0.0")
    old.is_current = False
    new = factories.make_course_version(code="ALG1", version="2.0.0")
    db.session.flush()
    response = api_get(client, "/api/v1/courses", world["student_tx1"].user, page_size=100)
    ids = {row["id"] for row in response.json}
    assert new.id in ids and old.id not in ids
    row = next(row for row in response.json if row["id"] == new.id)
    assert row["code"] == "ALG1" and row["version"] == "2.0.0" and row["credit"] == 0.5


def test_course_detail_has_units_with_counts(client, world):
    version = factories.make_course_version(units=3)
    response = api_get(client, f"/api/v1/courses/{version.id}", world["teacher_nd"])
    assert response.status_code == 200
    body = response.json
    assert body["unit_count"] == 3 and body["title_es"].startswith("Curso")
    assert [u["number"] for u in body["units"]] == [1, 2, 3]
    unit = body["units"][0]
    assert unit["title_en"] == "Unit 1" and unit["title_es"] == "Unidad 1"
    assert (unit["lesson_count"], unit["practice_item_count"], unit["test_item_count"]) == (1, 1, 3)
    assert "items" not in unit and "answer" not in str(body)
