"""Two admins demote each other at the same instant: the installation keeps an active admin."""

from functools import partial

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.users.models import Role, User
from tests import factories
from tests.concurrency.harness import TRIALS, at_once, tally

pytestmark = pytest.mark.own_databases  # gunicorn on a database of its own


def _active_admins() -> int:
    db.session.rollback()
    count = db.session.scalar(
        select(func.count()).where(User.role == Role.ADMIN, User.is_active.is_(True))
    )
    db.session.rollback()
    return count


def test_two_admins_deactivate_each_other_and_one_stays(live):
    for _trial in range(TRIALS):
        db.session.execute(update(User).where(User.role == Role.ADMIN).values(is_active=False))
        first, second = factories.make_user(Role.ADMIN), factories.make_user(Role.ADMIN)
        db.session.commit()
        a, b = live.actor(first), live.actor(second)
        responses = at_once(
            partial(a.post, f"/admin/users/{second.id}/deactivate"),
            partial(b.post, f"/admin/users/{first.id}/deactivate"),
        )
        remaining = _active_admins()
        errors = sum(r.status_code >= 500 for r in responses)
        tally("admins demote each other", duplicates=int(remaining == 0), errors=errors)
        assert errors == 0, [r.status_code for r in responses]
        assert remaining == 1
