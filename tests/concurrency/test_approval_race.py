"""A student's "ask for approval" sent from two devices at the same instant: one request."""

from functools import partial

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.learning.models import ApprovalRequest
from tests import factories
from tests.concurrency.harness import TRIALS, at_once, tally

pytestmark = pytest.mark.own_databases  # gunicorn on a database of its own


def test_asking_for_approval_twice_at_once_makes_one_request(live):
    for _trial in range(TRIALS):
        student = factories.make_student(live.world["tx1"])
        progress = factories.make_enrollment(student, live.world["course"]).units[0]
        db.session.commit()
        devices = [live.actor(student.user) for _ in range(2)]
        path = f"/learn/units/{progress.id}/ask-approval"
        responses = at_once(*(partial(device.post, path) for device in devices))
        db.session.rollback()
        requests = db.session.scalar(
            select(func.count())
            .select_from(ApprovalRequest)
            .where(ApprovalRequest.unit_progress_id == progress.id)
        )
        db.session.rollback()
        errors = sum(r.status_code >= 500 for r in responses)
        tally("ask for approval ×2", duplicates=max(0, requests - 1), errors=errors)
        assert [r.status_code for r in responses] == [302, 302]
        assert requests == 1
