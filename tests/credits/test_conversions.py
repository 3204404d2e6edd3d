"""The conversion page: the tables from the rules data and a placement suggestion."""

from hypothesis import given
from hypothesis import strategies as st

from app.credits.rules import letter_for, percent_from_sep, sep_for, us_grade_for


def test_the_tables_are_shown_to_anyone(client):
    page = client.get("/credits/conversions").get_data(as_text=True)
    assert 'data-testid="grade-scale"' in page and "90–100" in page and "9.0–10.0" in page
    assert 'data-testid="grade-levels"' in page


def test_a_bachillerato_semester_suggests_placement_and_credit(client):
    page = client.get("/credits/conversions?level=bachillerato&year=3&sep=8.4")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "84.0 %" in html and ">B<" in html and ">11<" in html and ">0.5<" in html


def test_a_bad_sep_grade_is_refused_in_spanish(client):
    page = client.get(
        "/credits/conversions?level=secundaria&year=2&sep=11", headers={"Accept-Language": "es"}
    )
    assert page.status_code == 400
    assert "La calificación SEP debe ser un número de 0 a 10." in page.get_data(as_text=True)


def test_grade_levels_follow_domain_equivalences():
    assert [us_grade_for("secundaria", y) for y in (1, 2, 3)] == [7, 8, 9]
    assert [us_grade_for("bachillerato", s) for s in range(1, 7)] == [10, 10, 11, 11, 12, 12]
    assert us_grade_for("secundaria", 4) is None


@given(st.integers(min_value=600, max_value=1000))
def test_passing_sep_grades_round_trip_through_percent(tenths):
    percent = tenths / 10
    sep = sep_for(percent)
    assert 6 <= sep <= 10
    assert percent_from_sep(sep) <= percent < percent_from_sep(sep) + 1
    assert letter_for(percent_from_sep(sep)) == letter_for(percent)
