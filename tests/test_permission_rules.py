"""Object rules kept in app/permissions.py and the domains' access modules, shared by pages and the API."""

from types import SimpleNamespace

from sqlalchemy import select

from app.extensions import db
from app.grading.access import can_grade, can_regrade
from app.learning.access import can_approve_test
from app.learning.models import AttemptStatus
from app.permissions import can_map_courses, can_open_job, started_by_scope
from app.users.models import Role, User
from tests import factories


def test_a_job_is_open_to_who_started_it_and_to_admins(world):
    starter, other = world["coord_tx"], world["coord_nd"]
    job = SimpleNamespace(created_by_id=starter.id)  # any job: certificate run or roster import
    assert can_open_job(starter, job) and can_open_job(world["admin"], job)
    assert not can_open_job(other, job)


def test_started_by_scope_shows_admins_everyones_rows(world):
    teacher = factories.make_user(Role.TEACHER, world["tx1"])
    everyone = set(db.session.scalars(select(User.id)))
    mine = set(db.session.scalars(select(User.id).where(started_by_scope(teacher, User.id))))
    assert mine == {teacher.id}
    assert (
        set(db.session.scalars(select(User.id).where(started_by_scope(world["admin"], User.id))))
        == everyone
    )


def test_only_admins_map_roster_courses(world):
    assert can_map_courses(world["admin"]) and not can_map_courses(world["coord_tx"])


def test_approving_grading_and_regrading_follow_the_unit_and_the_scope(world):
    student = world["student_tx1"]
    progress = factories.make_enrollment(student, world["course"]).units[0]
    teacher, stranger = world["teacher_tx1"], world["teacher_nd"]
    assert can_approve_test(teacher, progress) and not can_approve_test(stranger, progress)
    attempt = factories.make_submitted_test(progress)
    assert not can_approve_test(teacher, progress)  # a test waits to be graded
    assert can_grade(teacher, attempt) and not can_grade(stranger, attempt)
    assert not can_regrade(teacher, attempt)
    attempt.status = AttemptStatus.GRADED
    assert can_regrade(teacher, attempt) and not can_regrade(stranger, attempt)
