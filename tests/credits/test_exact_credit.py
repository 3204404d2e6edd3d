"""Credit is stored as NUMERIC: it survives the database, sums and every JSON boundary exactly."""

import json
from decimal import Decimal

from sqlalchemy import func, select

from app.certificates.credential import build_credential
from app.certificates.facts import certificate_facts
from app.credits.models import CreditAward
from app.credits.services import award_credit
from app.models import Role
from app.records.history import COLUMNS, course_history_rows
from app.transfers.package import build_package
from tests import factories


def _award_units(course, site, coordinator, passed: int) -> CreditAward:
    enrollment = factories.make_enrollment(factories.make_student(site), course)
    for progress in enrollment.units[:passed]:
        factories.pass_unit(progress)
    return award_credit(enrollment, coordinator)


def test_three_tenths_of_credit_add_up_to_exactly_three_tenths(app, world, session):
    course = factories.make_course_version(units=3, credit=0.3)
    awards = [_award_units(course, world["tx1"], world["coord_tx"], passed=1) for _ in range(3)]
    session.expire_all()
    credits = [session.get(CreditAward, a.id).credit for a in awards]
    assert credits == [Decimal("0.1")] * 3 and 0.1 + 0.1 + 0.1 != 0.3  # floats would drift
    assert sum(credits) == Decimal("0.3")
    total = session.scalar(
        select(func.sum(CreditAward.credit)).where(CreditAward.id.in_([a.id for a in awards]))
    )
    assert Decimal(total) == Decimal("0.3")


def test_california_five_credits_stay_a_json_number_everywhere(app, session):
    site = factories.make_site("US-CA")
    factories.make_user(Role.TEACHER, site)
    coordinator = factories.make_user(Role.COORDINATOR, state_code="US-CA")
    course = factories.make_course_version(units=3)
    full = _award_units(course, site, coordinator, passed=3)
    partial = _award_units(course, site, coordinator, passed=2)  # 5 x 2/3 = 3.33
    session.expire_all()
    full, partial = session.get(CreditAward, full.id), session.get(CreditAward, partial.id)
    assert (full.credit, partial.credit) == (Decimal("5"), Decimal("3.33"))

    with app.test_request_context():
        facts = json.loads(json.dumps(certificate_facts(full, "Coordinator")))
        credential = build_credential("S-1", "CODE", "2026-12-01T00:00:00Z", facts)
        package = json.loads(json.dumps(build_package(partial.enrollment.student)))
    assert facts["result"]["credit"] == 5 and isinstance(facts["result"]["credit"], float)
    assert facts["course"]["credit_available"] == 0.5
    earned = credential["credentialSubject"]["creditsEarned"]
    assert earned == 5 and isinstance(earned, float)
    (sent,) = package["enrollments"][0]["credit_awards"]
    assert sent["credit"] == 3.33 and isinstance(sent["credit"], float)

    at = COLUMNS.index("credits_attempted")
    rows = course_history_rows([full.enrollment, partial.enrollment])
    assert [row[at : at + 3] for row in rows] == [
        ["5", "5", "california"],
        ["5", "3.33", "california"],
    ]
