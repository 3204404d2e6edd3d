"""The report facts follow the records: rebuilt by the worker's watcher when stale, kept when
fresh, and the stage rule agrees with the live unit statuses."""

from datetime import datetime, timedelta

from sqlalchemy import select

from app.common import utcnow
from app.extensions import db
from app.reports.facts import last_refresh, refresh_report_facts
from app.reports.models import ReportEnrollment
from app.reports.tasks import refresh_stale_report_facts
from tests import factories
from tests.reports.helpers import seed_reports


def stages():
    rows = db.session.execute(select(ReportEnrollment.enrollment_id, ReportEnrollment.stage))
    return {enrollment_id: stage for enrollment_id, stage in rows}


def test_watcher_rebuilds_stale_facts_only(app, world):
    seeded = seed_reports(world)
    e1 = seeded["enrollments"]["e1"]
    assert stages()[e1.id] == "awaiting_grading"
    # The teacher grades the waiting test: the facts still say waiting until rebuilt.
    from app.learning.scoring import finalize_attempt

    attempt = seeded["backlog"]
    for answer in attempt.answers:
        if answer.points is None:
            answer.points = 2.0
    finalize_attempt(attempt, world["teacher_tx1"])
    assert refresh_stale_report_facts(False) is False  # fresh: kept
    assert stages()[e1.id] == "awaiting_grading"
    last_refresh().refreshed_at = utcnow() - timedelta(hours=1)
    assert refresh_stale_report_facts(False) is True
    assert stages()[e1.id] == "in_progress"


def test_a_new_enrollment_appears_after_a_rebuild(app, world):
    student = factories.make_student(world["tx1"])
    enrollment = factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    refresh = refresh_report_facts()
    assert refresh.rows >= 1 and stages()[enrollment.id] == "not_started"


def test_awards_and_certificates_since_the_rebuild_count_at_once(app, world):
    """The pending list and the credit sums start from the facts' awards but check the live
    records: an award made after the rebuild is listed (even one dated earlier, as a carried
    award is), one certified is not."""
    from decimal import Decimal

    from app.reports.attention import attention_report
    from app.reports.filters import ReportFilter
    from app.reports.program import program_report
    from tests.reports.helpers import _award

    seeded = seed_reports(world)
    e1 = seeded["enrollments"]["e1"]
    s1, _s2, _s3, s4, s5, _s6 = seeded["students"]
    _award(e1, world["coord_tx"], credit="0.3", partial=True, awarded_at=datetime(2025, 9, 1))
    db.session.flush()
    with app.test_request_context():
        pending_total, pending = attention_report(world["coord_tx"], ReportFilter())["pending"]
        credits = program_report(world["coord_tx"], ReportFilter())["credits"]
    assert pending_total == 3 and [r.student_id for r in pending] == [s1.id, s5.id, s4.id]
    assert credits == {"carnegie": (3, Decimal("1.0"))}
    award = db.session.get(ReportEnrollment, seeded["enrollments"]["e4a"].id).award_id
    from app.credits.models import CreditAward

    factories.make_certificate(db.session.get(CreditAward, award), world["coord_tx"])
    db.session.flush()
    with app.test_request_context():
        pending_total, pending = attention_report(world["coord_tx"], ReportFilter())["pending"]
    assert pending_total == 2 and s4.id not in {r.student_id for r in pending}


def test_passed_units_and_awards_are_in_the_facts(app, world):
    from app.reports.models import ReportUnitPass

    seeded = seed_reports(world)
    e4a = seeded["enrollments"]["e4a"]
    passes = db.session.scalars(
        select(ReportUnitPass).where(ReportUnitPass.enrollment_id == e4a.id)
    ).all()
    assert len(passes) == 5 and {p.passed_at.day for p in passes} == {9}
    assert {p.completed_at for p in passes} == {e4a.completed_at}
    fact = db.session.get(ReportEnrollment, e4a.id)
    assert (fact.award_partial, fact.award_system, fact.award_imported) == (
        False,
        "carnegie",
        False,
    )
    assert str(fact.award_credit) in ("0.5", "0.50")
