"""Staff search the students list: by any name, both surnames, identifiers, in any case, and
only among the students they may see."""

import re

import pytest

from app.students.models import Student
from tests import factories

ROW = re.compile(r'<a href="/students/(\d+)">')


def found(client, query: str, **filters) -> set[int]:
    response = client.get("/students/", query_string={"q": query, **filters})
    assert response.status_code == 200
    return {int(i) for i in ROW.findall(response.get_data(as_text=True))}


@pytest.fixture
def ana(world) -> Student:
    return factories.make_student(
        world["tx1"],
        given_name="Ana Sofía",
        family_name="García",
        second_family_name="López",
        msix_id="123456789012",
        curp="GALA080115MMNRPN09",
        state_student_id="TX-1001",
    )


@pytest.fixture
def others(world) -> list[Student]:
    return [
        factories.make_student(world["tx1"], given_name="Luis", family_name="Hernández"),
        factories.make_student(world["tx1"], given_name="Lucía", family_name="Ortega"),
    ]


@pytest.mark.parametrize(
    "query",
    [
        "Ana",
        "Sofía",
        "García",
        "López",
        "García López",
        "Ana Sofía García",
        "garcía",
        "GARCÍA",
        "  garc  ",
        "123456789012",
        "gala080115mmnrpn09",
        "TX-1001",
    ],
)
def test_a_name_or_identifier_finds_the_student_and_no_one_else(
    client, auth, world, ana, others, query
):
    auth.login(world["teacher_tx1"])
    assert found(client, query) == {ana.id}


def test_an_empty_search_lists_every_student_in_scope(client, auth, world, ana, others):
    auth.login(world["teacher_tx1"])
    assert found(client, "") == {ana.id, world["student_tx1"].id} | {s.id for s in others}


def test_a_part_of_an_identifier_finds_no_one(client, auth, world, ana):
    auth.login(world["teacher_tx1"])
    assert found(client, "12345678901") == set()


def test_nobody_matching_is_an_empty_list_not_an_error(client, auth, world, ana):
    auth.login(world["teacher_tx1"])
    assert found(client, "Zzyzx") == set()


def test_search_stays_inside_the_searchers_scope(client, auth, world, ana):
    elsewhere = factories.make_student(world["nd"], given_name="Ana", family_name="García")
    auth.login(world["teacher_tx1"])
    assert found(client, "García") == {ana.id}
    auth.logout()
    auth.login(world["coord_nd"])
    assert found(client, "García") == {elsewhere.id}
    auth.logout()
    auth.login(world["admin"])
    assert found(client, "García") == {ana.id, elsewhere.id}


def test_search_combines_with_the_site_filter(client, auth, world, ana):
    at_tx2 = factories.make_student(world["tx2"], given_name="Ana", family_name="Ruiz")
    auth.login(world["coord_tx"])
    assert found(client, "Ana") == {ana.id, at_tx2.id}
    assert found(client, "Ana", site=world["tx2"].id) == {at_tx2.id}


@pytest.mark.parametrize("query", ["Garcia", "garcia lopez", "Sofia"])
def test_a_name_typed_without_accents_finds_the_accented_name(
    client, auth, world, ana, others, query
):
    auth.login(world["teacher_tx1"])
    assert found(client, query) == {ana.id}
