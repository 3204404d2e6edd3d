"""Hostile input gets a clear 4xx: nested JSON, numbers out of range, NUL bytes, formula cells,
methods a route does not take."""

import csv
import io
import json

import pytest

from app.safe_json import UnsafeJsonError, depth_of, load_json
from app.transfers.checking import check_package
from tests import factories
from tests.api.helpers import api_get, token_for

DEEP = ("[" * 100_000 + "]" * 100_000).encode()


def upload_package(client, data: bytes, site_id: int):
    return client.post(
        "/transfers/import",
        data={
            "package": (io.BytesIO(data), "package.json"),
            "site_id": site_id,
        },
        content_type="multipart/form-data",
    )


def test_a_package_nested_100000_deep_is_refused_on_the_page(client, auth, world):
    auth.login(world["teacher_tx1"])
    response = upload_package(client, DEEP, world["tx1"].id)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_data(as_text=True)


def test_a_pasted_package_nested_deeply_is_refused_in_spanish(client, auth, world):
    world["teacher_tx1"].locale = "es"
    auth.login(world["teacher_tx1"])
    nested = '{"a":' * 50 + "1" + "}" * 50  # parses, but deeper than any transfer package
    response = client.post(
        "/transfers/confirm", data={"package": nested, "site_id": world["tx1"].id}
    )
    assert response.status_code == 400
    assert "demasiados niveles anidados" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (DEEP, "nested too deeply"),
        (b'{"a": ' + b"1" * 5000 + b"}", "not JSON"),  # longer than Python reads as an int
        (b'{"a": "\\u0000"}', "NUL character"),
        (b"\xff\xfe", "not JSON"),
        (b" " * 5_000_001, "too large"),
    ],
)
def test_check_package_refuses_hostile_json_with_a_message(app, raw, words):
    with app.test_request_context():
        check = check_package(raw)
    assert not check.ok and check.package is None
    assert words in check.problems[0]


def test_depth_is_measured_without_recursion():
    value = []
    for _ in range(50_000):
        value = [value]
    assert depth_of(value) == 50_001
    assert depth_of({"a": [1, {"b": 2}]}) == 3 and depth_of(7) == 0
    with pytest.raises(UnsafeJsonError):
        load_json(json.dumps({"a": [[[[1]]]]}), max_depth=4)


def test_deep_or_nul_json_to_the_autosave_is_a_400_not_a_500(client, auth, world):
    student = world["student_tx1"]
    enrollment = factories.make_enrollment(student, world["course"])
    attempt = factories.make_practice_attempt(enrollment.units[0])
    auth.login(student.user)
    url = f"/learn/attempts/{attempt.id}/autosave"
    response = client.post(url, data=DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]
    item = enrollment.units[0].unit.items_in("practice")[0]
    nul = client.post(url, json={"item_id": item.id, "response": "a\x00b"})
    assert nul.status_code == 400 and nul.json["error"]
    assert attempt.answers == []


@pytest.mark.parametrize("student_id", ["2147483648", "99999999999999999999999"])
def test_ids_beyond_any_column_are_404(client, auth, world, student_id):
    auth.login(world["admin"])
    assert client.get(f"/students/{student_id}").status_code == 404
    token = token_for(world["admin"])
    response = api_get(client, f"/api/v1/students/{student_id}", token)
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_the_largest_id_is_a_plain_404(client, auth, world):
    auth.login(world["admin"])
    assert client.get("/students/2147483647").status_code == 404


@pytest.mark.parametrize("page", ["10000000000000000000000", "2147483648", "-5", "x"])
def test_a_huge_or_odd_page_is_answered(client, auth, world, page):
    auth.login(world["admin"])
    assert client.get(f"/students/?page={page}").status_code == 200
    assert client.get(f"/rosters/?page={page}&shown={page}").status_code == 200


def test_a_huge_api_page_is_an_empty_page(client, world):
    response = api_get(client, "/api/v1/students", world["admin"], page=10**30)
    assert response.status_code == 200 and response.json == []


def test_out_of_range_filters_are_ignored_or_refused(client, auth, world):
    auth.login(world["admin"])
    assert client.get("/students/?site=99999999999999999999").status_code == 200
    started = client.post("/records/exports", data={"course": "99999999999999999999"})
    assert started.status_code == 302  # an impossible course id filters nothing; no 500
    response = api_get(client, "/api/v1/enrollments", world["admin"], student_id=2**40)
    assert response.status_code == 422


@pytest.mark.parametrize("query", ["q=%00", "q=Ana%00", "site=%00"])
def test_a_nul_byte_in_the_query_is_a_clear_400(client, auth, world, query):
    auth.login(world["admin"])
    response = client.get(f"/students/?{query}")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    world["admin"].locale = "es"
    response = client.get(f"/students/?{query}")
    assert "carácter NUL" in response.get_data(as_text=True)


def test_a_nul_byte_in_an_api_query_is_a_json_400(client, world):
    response = api_get(client, "/api/v1/students", world["admin"], q="A\x00")
    assert response.status_code == 400 and response.mimetype == "application/json"
    assert "NUL" in response.json["message"]


def test_a_nul_byte_in_a_form_field_is_a_400_and_nothing_is_saved(client, auth, world):
    from app.extensions import db
    from app.students.models import Student

    auth.login(world["teacher_tx1"])
    before = db.session.query(Student).count()
    response = client.post(
        "/students/new",
        data={"given_name": "Ro\x00sa", "family_name": "Díaz", "site_id": world["tx1"].id},
    )
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert db.session.query(Student).count() == before


def test_a_nul_byte_in_the_path_is_a_400(client):
    response = client.get("/verify/AB%00CD")
    assert response.status_code == 400


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_every_csv_cell_that_could_run_is_quoted(
    client, auth, world, formula, app, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path / "exports"))
    student = factories.make_student(
        world["tx1"],
        with_user=False,
        state_student_id=formula,
        family_name=formula,
        msix_id=None,
    )
    factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    auth.login(world["coord_tx"])
    started = client.post("/records/exports", data={})
    assert started.status_code == 302
    scope_file = started.headers["Location"] + "/course-history.csv"
    for url in (f"/records/students/{student.id}/course-history.csv", scope_file):
        response = client.get(url)
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
        (row,) = [r for r in rows if r["puente_student_id"] == str(student.id)]
        assert row["state_student_id"] == "'" + formula
        assert row["family_name"] == "'" + formula


def test_a_method_a_route_does_not_take_is_405_with_allow(client, world):
    response = client.put("/students/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    api = client.post("/api/v1/students", headers={"Authorization": "Bearer x"})
    assert api.status_code == 405 and api.mimetype == "application/json"
    assert "GET" in api.headers["Allow"].split(", ")
