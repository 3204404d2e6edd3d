"""Report figures against numbers worked out by hand from tests/reports/helpers.py's fixture."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.common import utcnow
from app.reports.attention import attention_report
from app.reports.filters import ReportFilter
from app.reports.program import program_report
from app.reports.progress import progress_report
from app.reports.terms import Term, term_for
from app.students.models import StudentKind
from tests.reports.helpers import seed_reports


@pytest.fixture
def seeded(world):
    return seed_reports(world)


def test_progress_for_the_texas_coordinator(app, world, seeded):
    with app.test_request_context():
        data = progress_report(world["coord_tx"], ReportFilter())
    # s1 A waiting, s2 A in progress (failed units), s3 A not started, s3 B withdrawn,
    # s4 A completed, s4 B returned, s5 A in progress; the world's students have no courses.
    assert data["stages"] == {
        "not_started": 1,
        "in_progress": 2,
        "awaiting_grading": 1,
        "returned": 1,
        "completed": 1,
        "withdrawn": 1,
    }
    weeks = data["units_passed"]
    assert len(weeks) == 12
    # s1's unit 1 this week, s5's unit 1 three weeks ago; s4's units were in March.
    assert weeks[-1][1] == 1 and weeks[-4][1] == 1 and sum(c for _w, c in weeks) == 2
    terms = {row.term.key: row for row in data["terms"]}
    assert set(terms) == {"2026-spring", "2025-fall"}
    spring, fall = terms["2026-spring"], terms["2025-fall"]
    assert (spring.completed, spring.full_awards, spring.partial_awards) == (1, 1, 0)
    assert spring.full_credit == {"carnegie": Decimal("0.5")}
    assert (fall.completed, fall.full_awards, fall.partial_awards) == (0, 0, 1)
    assert fall.partial_credit == {"carnegie": Decimal("0.2")}


def test_progress_for_north_dakota_sees_only_its_student(app, world, seeded):
    with app.test_request_context():
        data = progress_report(world["coord_nd"], ReportFilter())
    assert data["stages"]["awaiting_grading"] == 1 and sum(data["stages"].values()) == 1
    assert [row.term.key for row in data["terms"]] == ["2026-spring"]
    assert data["terms"][0].partial_credit == {"carnegie": Decimal("0.1")}


def test_filters_narrow_the_figures(app, world, seeded):
    coord = world["coord_tx"]
    with app.test_request_context():
        site2 = progress_report(coord, ReportFilter(site=world["tx2"]))["stages"]
        osy = progress_report(coord, ReportFilter(kind=StudentKind.OSY))["stages"]
        course_b = progress_report(coord, ReportFilter(course=seeded["course_b"].course))
        spring = progress_report(coord, ReportFilter(term=Term(2026, 0)))
        monthly = progress_report(coord, ReportFilter(period="month"))
    assert sum(site2.values()) == 1 and site2["in_progress"] == 1  # s5 only
    assert sum(osy.values()) == 1 and osy["in_progress"] == 1  # s2 only
    assert course_b["stages"]["withdrawn"] == 1 and course_b["stages"]["returned"] == 1
    assert sum(course_b["stages"].values()) == 2 and course_b["terms"] == []
    # Spring 2026: only s4's course A was open then (every other one was assigned today).
    assert spring["stages"]["completed"] == 1 and sum(spring["stages"].values()) == 1
    assert [(r.term.key, r.completed, r.full_awards) for r in spring["terms"]] == [
        ("2026-spring", 1, 1)
    ]
    # Over 12 months: s4's five units in March 2026, s1's and s5's this autumn.
    months = dict(monthly["units_passed"])
    march = 5 if date(2026, 3, 1) in months else 0  # inside the last 12 months until 2027-03
    assert sum(months.values()) == 2 + march and months.get(date(2026, 3, 1), 0) == march
    this_month = utcnow().date().replace(day=1)
    assert monthly["units_passed"][-1][0] == this_month


def test_attention_for_the_texas_coordinator(app, world, seeded):
    with app.test_request_context():
        data = attention_report(world["coord_tx"], ReportFilter(days=14))
    s1, s2, s3, s4, s5, _s6 = seeded["students"]
    total, rows = data["inactive"]
    assert total == 1 and [r.student_id for r in rows] == [s2.id]
    total, rows = data["reassess"]
    assert total == 1 and rows[0].student_id == s2.id
    counts, total, rows = data["approvals"]
    assert counts == {"waiting": 1, "expired": 1} and total == 2
    assert [(r.student_id, bool(r.is_open)) for r in rows] == [(s3.id, True), (s2.id, False)]
    ages, total, rows = data["backlog"]
    assert total == 1 and rows[0].attempt_id == seeded["backlog"].id
    assert ages == {"under_1": 0, "1_to_3": 0, "3_to_7": 1, "over_7": 0}
    total, rows = data["pending"]
    assert total == 2 and [r.student_id for r in rows] == [s5.id, s4.id]  # oldest first
    assert s1.id not in {r.student_id for r in rows}


def test_attention_days_and_site_scope(app, world, seeded):
    with app.test_request_context():
        longer = attention_report(world["coord_tx"], ReportFilter(days=31))
        site = attention_report(world["coord_tx1"], ReportFilter())
    assert longer["inactive"][0] == 0  # s2 has been idle 30 days, not 31
    assert site["pending"][0] == 1  # s4 at tx1; s5 is at tx2
    assert site["backlog"][1] == 1


def test_program_counts_for_the_texas_coordinator(app, world, seeded):
    with app.test_request_context():
        data = program_report(world["coord_tx"], ReportFilter())
    # s1..s5 and the world's two Texas students.
    assert data["kinds"] == {"secondary": 6, "osy": 1} and data["total"] == 7
    assert data["grades"] == [(9, 1), (10, 4), (11, 1), (None, 1)]
    assert dict(data["origins"]) == {"MX-MIC": 1, "MX-JAL": 1, "abroad": 1, "none": 4}
    assert data["binational"] == 1  # s1 moved from Texas to Michoacán
    assert data["credits"] == {"carnegie": (2, Decimal("0.7"))}


def test_program_counts_by_course_and_for_an_admin(app, world, seeded):
    with app.test_request_context():
        course_b = program_report(world["coord_tx"], ReportFilter(course=seeded["course_b"].course))
        everyone = program_report(world["admin"], ReportFilter())
        nd = program_report(world["admin"], ReportFilter(state_code="US-ND"))
    assert course_b["kinds"] == {"secondary": 2, "osy": 0}  # s3 and s4
    assert everyone["total"] == 9 and everyone["binational"] == 2
    assert nd["total"] == 2 and nd["credits"] == {"carnegie": (1, Decimal("0.1"))}


def test_terms_agree_with_the_certificate_season():
    for month, key in ((1, "spring"), (5, "spring"), (6, "summer"), (7, "summer"), (8, "fall")):
        assert term_for(utcnow().replace(month=month, day=1)).season == key
    fall = Term(2026, 2)
    assert term_for(fall.end - timedelta(days=1)) == fall and term_for(fall.start) == fall
