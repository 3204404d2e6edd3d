"""Report pages and CSVs: same figures in both, scope held against filters, bad input is a 400,
a fixed number of queries whatever the number of students."""

import csv
import io

import pytest
from lxml import html

from app.extensions import db
from app.reports.facts import refresh_report_facts
from tests import factories
from tests.query_counter import count_queries
from tests.reports.helpers import seed_reports

PAGES = ("progress", "attention", "program")


@pytest.fixture
def seeded(world):
    return seed_reports(world)


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def page_tables(text: str) -> dict[str, list[list[str]]]:
    tree = html.fromstring(text)
    return {
        table.get("data-table"): [
            [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
            for row in table.xpath("./tbody/tr")
        ]
        for table in tree.xpath("//table[@data-table]")
    }


@pytest.mark.parametrize("name", PAGES)
def test_page_has_a_chart_per_figure_and_the_csv_the_same_rows(client, world, seeded, name):
    sign_in(client, world["coord_tx"])
    page = client.get(f"/reports/{name}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<script" not in text.split("<footer")[0].split("</header>")[1]
    assert text.count('role="img"') >= 2
    response = client.get(f"/reports/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    for key, table_rows in page_tables(text).items():
        for row in table_rows:
            if len(row) == 1:  # "Nothing to show"
                continue
            if name == "attention":  # dates are written ISO in the CSV, in words on the page
                assert any(r[:1] == row[:1] and len(r) == len(row) for r in rows), (key, row)
            else:
                assert row in rows, (key, row)


def test_progress_page_shows_the_hand_worked_stage_counts(client, world, seeded):
    sign_in(client, world["coord_tx"])
    tables = page_tables(client.get("/reports/progress").get_data(as_text=True))
    assert dict(tables["stages"]) == {
        "Not started": "1",
        "In progress": "2",
        "Awaiting grading": "1",
        "Returned for revision": "1",
        "Completed": "1",
        "Withdrawn": "1",
    }


def test_spanish_page(client, world, seeded):
    sign_in(client, world["coord_tx"])
    client.post("/language", data={"language": "es"})
    text = client.get("/reports/program", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Estudiantes por grado escolar" in text


BAD = ["term=fall", "term=2026-winter", "kind=adult", "days=0", "days=abc", "days=9999", "site=x",
       "site=999999", "course=999999", "course=-1", "state=Texas", "period=day"]  # fmt: skip


# A refused request rolls back the request's transaction (the fixture's too): one per test.
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("query", BAD)
def test_bad_filter_is_a_clear_400(client, world, seeded, query, name):
    sign_in(client, world["coord_tx"])
    response = client.get(f"/reports/{name}?{query}")
    assert response.status_code == 400, (name, query)
    assert "could not be understood" not in response.get_data(as_text=True)


def test_bad_filter_message_is_translated(client, world, seeded):
    sign_in(client, world["coord_tx"])
    client.post("/language", data={"language": "es"})
    response = client.get("/reports/progress?term=fall", headers={"Accept-Language": "es"})
    assert response.status_code == 400
    assert "El periodo debe ser un año" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["progress", "attention.csv", "program"])
@pytest.mark.parametrize(
    "who,query",
    [
        ("coord_tx1", "site={tx2}"),
        ("coord_tx1", "site={nd}"),
        ("coord_tx1", "state=US-ND"),
        ("coord_nd", "site={tx1}"),
        ("coord_nd", "state=US-TX"),
        ("coord_tx", "site={nd}"),
    ],
)
def test_a_filter_cannot_reach_outside_the_scope(client, world, seeded, who, query, name):
    sign_in(client, world[who])
    ids = {key: world[key].id for key in ("tx1", "tx2", "nd")}
    assert client.get(f"/reports/{name}?{query.format(**ids)}").status_code == 403


def test_filters_inside_the_scope_are_allowed(client, world, seeded):
    sign_in(client, world["coord_tx1"])
    assert client.get(f"/reports/progress?site={world['tx1'].id}").status_code == 200
    assert client.get("/reports/progress?state=US-TX").status_code == 200
    sign_in(client, world["admin"])
    assert client.get("/reports/attention?state=US-ND").status_code == 200


def test_site_coordinator_sees_only_their_site(client, world, seeded):
    sign_in(client, world["coord_tx1"])
    tables = page_tables(client.get("/reports/program").get_data(as_text=True))
    # s1..s4 and the world's tx1 student; s5 (tx2) and s6 (ND) are not counted.
    assert sum(int(count) for _kind, count in tables["kinds"]) == 5


def _add_students(world, count: int) -> None:
    """Students who touch every figure, each at a new site of Texas and in a new course."""
    for _ in range(count):
        site = factories.make_site("US-TX")
        teacher = factories.make_user(factories.Role.TEACHER, site)
        student = factories.make_student(site)
        enrollment = factories.make_enrollment(student, factories.make_course_version(), teacher)
        factories.pass_unit(enrollment.units[0])
        factories.make_submitted_test(enrollment.units[1])
    refresh_report_facts()
    db.session.commit()  # the test's rows, not the page's work: a commit counts their sites


@pytest.mark.parametrize(
    "name,expected,again", [("progress", 9, 5), ("attention", 10, 10), ("program", 7, 7)]
)
def test_query_count_does_not_grow_with_students(client, world, seeded, name, expected, again):
    """`again`: a view of figures this worker has worked out since the last rebuild of the
    facts (the progress report keeps them until then)."""
    sign_in(client, world["coord_tx"])
    client.get(f"/reports/{name}")
    with count_queries() as few:
        assert client.get(f"/reports/{name}").status_code == 200
    _add_students(world, 4)
    with count_queries() as more:
        assert client.get(f"/reports/{name}").status_code == 200
    with count_queries() as kept:
        assert client.get(f"/reports/{name}").status_code == 200
    assert len(few) == len(kept) == again
    assert len(more) == expected


def _stages(client, path="/reports/progress") -> dict[str, int]:
    rows = page_tables(client.get(path).get_data(as_text=True))["stages"]
    return {stage: int(count) for stage, count in rows}


def test_kept_figures_last_until_the_facts_are_rebuilt(client, world, seeded):
    """A worker keeps a population's figures: a second view, a view after records changed but
    before a rebuild, then a view after the rebuild, and other scopes never share them."""
    sign_in(client, world["coord_tx"])
    first = _stages(client)
    assert _stages(client) == first
    site_figures = _stages(client, f"/reports/progress?site={world['tx2'].id}")
    assert sum(site_figures.values()) < sum(first.values())
    student = factories.make_student(world["tx1"])
    factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    db.session.commit()
    assert _stages(client) == first  # as of the last rebuild, as the page says
    refresh_report_facts()
    db.session.commit()
    rebuilt = _stages(client)
    assert sum(rebuilt.values()) == sum(first.values()) + 1
    sign_in(client, world["coord_nd"])
    assert sum(_stages(client).values()) == 1


@pytest.mark.parametrize(
    "language,one,half",
    [
        ("en", "1 Carnegie unit", "0.5 Carnegie units"),
        ("es", "1 unidad Carnegie", "0.5 unidades Carnegie"),
    ],
)
def test_credit_totals_say_unit_or_units(app, language, one, half):
    from decimal import Decimal

    from flask_babel import force_locale

    from app.reports.tables import _credit

    with app.test_request_context(), force_locale(language):
        assert _credit({"carnegie": Decimal("1.00")}) == one
        assert _credit({"carnegie": Decimal("0.5")}) == half
