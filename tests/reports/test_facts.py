"""The report facts follow the records: rebuilt by the worker's watcher when stale, kept when
fresh, and the stage rule agrees with the live unit statuses."""

from datetime import timedelta

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
