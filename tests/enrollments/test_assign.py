"""Teachers and coordinators assign a course to one student or many, with a target date."""

from datetime import date, timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.enrollments.models import Enrollment, EnrollmentStatus
from app.extensions import db
from tests import factories


def enrollments_of(*students) -> list[Enrollment]:
    ids = [s.id for s in students]
    return list(db.session.scalars(select(Enrollment).where(Enrollment.student_id.in_(ids))))


def assign(client, course, students, target=None):
    return client.post(
        "/enrollments/assign",
        data={
            "course_version_id": course.id,
            "student_ids": [s.id for s in students],
            "target_date": target.isoformat() if target else "",
        },
    )


def test_teacher_assigns_a_course_to_many_students_at_once(world, auth, client):
    site, teacher, course = world["tx1"], world["teacher_tx1"], world["course"]
    students = [world["student_tx1"], *(factories.make_student(site) for _ in range(3))]
    target = date.today() + timedelta(days=45)
    auth.login(teacher)
    response = assign(client, course, students, target)
    assert response.status_code == 302
    created = enrollments_of(*students)
    assert len(created) == 4
    for enrollment in created:
        assert enrollment.course_version_id == course.id
        assert enrollment.target_date == target
        assert enrollment.assigned_by_id == teacher.id
        assert [u.unit_number for u in enrollment.units] == [1, 2, 3, 4, 5]
    events = db.session.scalar(
        select(func.count()).where(AuditEvent.action == "enrollment.created")
    )
    assert events == 4


def test_a_student_who_already_has_the_course_is_skipped_and_named(world, auth, client):
    first, second = world["student_tx1"], factories.make_student(world["tx1"])
    factories.make_enrollment(first, world["course"])
    auth.login(world["teacher_tx1"])
    response = assign(client, world["course"], [first, second])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 already had this course" in page
    assert first.full_name in page
    assert len(enrollments_of(first)) == 1 and len(enrollments_of(second)) == 1


def test_another_sites_student_in_the_post_assigns_nobody(world, auth, client):
    auth.login(world["teacher_tx1"])
    response = assign(client, world["course"], [world["student_tx1"], world["student_tx2"]])
    assert response.status_code == 400
    assert "Choose only your own students." in response.get_data(as_text=True)
    assert enrollments_of(world["student_tx1"], world["student_tx2"]) == []


def test_a_target_date_in_the_past_is_refused_in_the_users_language(world, auth, client):
    teacher = world["teacher_tx1"]
    teacher.locale = "es"
    auth.login(teacher)
    response = assign(client, world["course"], [world["student_tx1"]], date.today() - timedelta(1))
    assert response.status_code == 400
    assert "La fecha meta no puede estar en el pasado." in response.get_data(as_text=True)
    assert enrollments_of(world["student_tx1"]) == []


def test_state_coordinator_assigns_across_the_states_sites(world, auth, client):
    auth.login(world["coord_tx"])
    response = assign(client, world["course"], [world["student_tx1"], world["student_tx2"]])
    assert response.status_code == 302
    assert len(enrollments_of(world["student_tx1"], world["student_tx2"])) == 2


def test_withdrawal_needs_a_reason_and_keeps_the_record(world, auth, client):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    auth.login(world["teacher_tx1"])
    refused = client.post(f"/enrollments/{enrollment.id}/withdraw", data={"reason": ""})
    assert refused.status_code in (302, 303, 400)
    db.session.refresh(enrollment)
    assert enrollment.status == EnrollmentStatus.ACTIVE
    done = client.post(f"/enrollments/{enrollment.id}/withdraw", data={"reason": "Moved to Ohio"})
    assert done.status_code == 302
    db.session.refresh(enrollment)
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    assert len(enrollment.units) == 5
