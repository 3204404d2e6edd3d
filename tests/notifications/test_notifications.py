"""Notifications: rows in the event's transaction, mail through the job queue after commit,
each mail once, in the reader's language, as each user chose; read from a real SMTP server."""

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.moves.services import report_move
from app.notifications.mail import send_notification_mail
from app.notifications.models import Delivery, Event, MailState, Notification
from app.notifications.services import notify, save_preferences
from app.notifications.tasks import mail_left_behind
from app.users.models import Role
from tests import factories
from tests.smtp import body


def queued(world, key="student_tx1"):
    enrollment = factories.make_enrollment(world[key], world["course"])
    return factories.make_submitted_test(enrollment.units[0])


def open_item(attempt):
    return next(a.item for a in attempt.answers if a.item.kind == "open")


def rows_for(user, event=None):
    stmt = select(Notification).where(Notification.user_id == user.id)
    if event:
        stmt = stmt.where(Notification.event == event)
    return list(db.session.scalars(stmt))


def grade(client, attempt, score="2"):
    return client.post(
        f"/grading/attempts/{attempt.id}",
        data={"action": "grade", f"score-{open_item(attempt).id}": score},
    )


def test_a_graded_test_mails_the_student_in_spanish_after_the_commit(
    client, auth, world, smtp_server
):
    student = world["student_tx1"]
    student.user.locale = "es"
    attempt = queued(world)
    db.session.commit()
    auth.login(world["teacher_tx1"])
    assert grade(client, attempt).status_code == 302
    message = smtp_server.wait_for(student.user.email)
    text = body(message)
    assert "fue calificado" in text and "100.0 %" in text, text
    assert f"https://puente.example.org/learn/attempts/{attempt.id}/result" in text
    assert message["Subject"].startswith("Puente: ")
    assert message["Message-ID"].startswith("<notification-")
    assert message["Message-ID"].endswith("@puente.example.org>")
    (row,) = rows_for(student.user, Event.TEST_GRADED)
    assert row.mail_state == MailState.SENT and row.read_at is None
    assert student.user.unread_notifications == 1
    # A retry of the job (or a second worker) mails nothing again.
    assert send_notification_mail(row.id) is False
    assert len(smtp_server.to(student.user.email)) == 1


def test_a_refused_grade_notifies_no_one(client, auth, world, smtp_server):
    attempt = queued(world)
    auth.login(world["teacher_tx1"])
    assert grade(client, attempt, score="9").status_code == 422
    assert rows_for(world["student_tx1"].user) == []
    assert smtp_server.messages == []


def test_a_rolled_back_transaction_leaves_no_notification(world):
    user = world["student_tx1"].user
    db.session.commit()
    notify(Event.TEST_GRADED, [user], course_en="A", course_es="A", unit=1, percent=1.0)
    db.session.rollback()
    assert rows_for(user) == [] and not db.session.info.get("notifications_mail_due")


def test_return_and_approval_reach_the_student_in_english(client, auth, world, smtp_server):
    attempt = queued(world)
    auth.login(world["teacher_tx1"])
    client.post(
        f"/grading/attempts/{attempt.id}",
        data={"action": "return", "overall_feedback": "Explain more"},
    )
    message = smtp_server.wait_for(world["student_tx1"].user.email)
    assert "was returned for revision" in body(message)
    progress = attempt.unit_progress
    progress2 = progress.enrollment.units[1]
    response = client.post(f"/learn/units/{progress2.id}/approve")
    assert response.status_code in (302, 303)
    events = {r.event for r in rows_for(world["student_tx1"].user)}
    assert events == {Event.TEST_RETURNED, Event.TEST_APPROVED}


def test_handing_in_tells_the_sites_teachers_not_others(world):
    from app.courses.models import Section
    from app.learning.models import Attempt
    from app.learning.scoring import save_response
    from app.learning.services import hand_in_test

    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    progress = enrollment.units[0]
    attempt = Attempt(unit_progress=progress, section=Section.TEST, number=1)
    db.session.add(attempt)
    db.session.flush()
    for item, response in zip(progress.unit.items_in(Section.TEST), factories.RIGHT, strict=True):
        save_response(attempt, item, response)
    db.session.refresh(attempt, ["answers"])
    hand_in_test(attempt, world["student_tx1"])
    assert attempt.status == "submitted"
    (row,) = rows_for(world["teacher_tx1"], Event.WORK_HANDED_IN)
    assert row.endpoint == "grading.attempt" and row.endpoint_values == {"attempt_id": attempt.id}
    assert rows_for(world["teacher_tx2"]) == [] and rows_for(world["student_tx1"].user) == []


def test_preferences_page_only_and_off(client, auth, world, smtp_server):
    user = world["student_tx1"].user
    save_preferences(user, {Event.TEST_GRADED: Delivery.PAGE, Event.TEST_RETURNED: Delivery.OFF})
    attempt = queued(world)
    auth.login(world["teacher_tx1"])
    grade(client, attempt)
    (row,) = rows_for(user)
    assert row.event == Event.TEST_GRADED and row.mail_state == MailState.NONE
    assert smtp_server.messages == []


def test_preferences_form_saves_and_refuses_a_delivery_not_offered(client, auth, world):
    auth.login(world["student_tx1"].user)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "My unit test is graded" in page and "daily email digest" not in page
    refused = client.post(
        "/notifications/preferences",
        data={
            "test_approved": "digest",
            "test_graded": "page",
            "test_returned": "email",
            "certificate_issued": "off",
        },
    )
    assert refused.status_code == 400 and "Not a valid choice" in refused.get_data(as_text=True)
    ok = client.post(
        "/notifications/preferences",
        data={
            "test_approved": "email",
            "test_graded": "page",
            "test_returned": "email",
            "certificate_issued": "off",
        },
    )
    assert ok.status_code == 303
    auth.logout()
    auth.login(world["teacher_tx1"])
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "daily email digest" in page and "My unit test is graded" not in page


def test_the_daily_digest_gathers_a_teachers_day_in_one_mail(world, smtp_server, app):
    teacher = world["teacher_tx1"]
    save_preferences(teacher, {Event.WORK_HANDED_IN: Delivery.DIGEST})
    for name in ("Ana", "Luis"):
        student = factories.make_student(world["tx1"], given_name=name)
        notify(
            Event.WORK_HANDED_IN,
            [teacher],
            student=student,
            target=("grading.queue", {}),
            course_en="Algebra I A",
            course_es="Álgebra I A",
            unit=2,
            student_name=student.full_name,
        )
    db.session.commit()
    rows = rows_for(teacher)
    assert {r.mail_state for r in rows} == {MailState.DIGEST}
    mail_left_behind(False)
    assert smtp_server.messages == []  # not a day old yet
    for row in rows:
        row.created_at -= timedelta(hours=25)
    db.session.commit()
    mail_left_behind(False)
    message = smtp_server.wait_for(teacher.email)
    text = body(message)
    assert text.count("handed in the test for Algebra I A, unit 2") == 2, text
    assert "(2)" in message["Subject"]
    mail_left_behind(False)
    assert len(smtp_server.to(teacher.email)) == 1
    assert {r.mail_state for r in rows_for(teacher)} == {MailState.SENT}


def test_a_refused_mail_waits_and_goes_later_once(world, app, mail_server):
    user = world["student_tx1"].user
    (row,) = notify(Event.TEST_GRADED, [user], course_en="A", course_es="A", unit=1, percent=50.0)
    db.session.commit()
    assert send_notification_mail(row.id) is False  # port 9: refused
    db.session.refresh(row)
    assert row.mail_state == MailState.PENDING and row.mail_attempts == 1
    row.created_at -= timedelta(minutes=5)
    db.session.commit()
    state = app.extensions["mailman"]
    saved = state.server, state.port
    state.server, state.port = "127.0.0.1", mail_server.port
    try:
        mail_left_behind(False)
        mail_left_behind(False)
    finally:
        state.server, state.port = saved
    assert len(mail_server.to(user.email)) == 1
    db.session.refresh(row)
    assert row.mail_state == MailState.SENT


def test_coordinators_hear_of_incoming_students_and_credit_ready(world, client, auth):
    nd_coordinator = world["coord_nd"]
    report_move(world["student_tx1"], world["teacher_tx1"], "US-ND", None, date.today(), None)
    (row,) = rows_for(nd_coordinator, Event.STUDENT_INCOMING)
    assert row.params["place"] == "US-ND"
    assert rows_for(world["coord_tx"], Event.STUDENT_INCOMING) == []
    # the last unit graded completes the course: the student's coordinators may award credit
    course = factories.make_course_version(units=1)
    enrollment = factories.make_enrollment(world["student_tx2"], course)
    attempt = factories.make_submitted_test(enrollment.units[0])
    auth.login(world["teacher_tx2"])
    grade(client, attempt)
    assert enrollment.status == "completed"
    (ready,) = rows_for(world["coord_tx"], Event.CREDIT_READY)
    assert ready.endpoint_values == {"enrollment_id": enrollment.id}
    assert rows_for(world["coord_tx1"], Event.CREDIT_READY) == []  # site tx1 coordinator
    assert rows_for(nd_coordinator, Event.CREDIT_READY) == []


def test_an_approval_request_reaches_the_sites_teachers_digest_if_they_chose(world):
    from app.learning.approvals import request_approval

    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    teacher, colleague = world["teacher_tx1"], factories.make_user(Role.TEACHER, world["tx1"])
    save_preferences(colleague, {Event.APPROVAL_REQUESTED: Delivery.DIGEST})
    for _ in range(2):  # asking again keeps the one request: nobody is told twice
        request_approval(enrollment.units[0], world["student_tx1"].user)
    (mine,) = rows_for(teacher, Event.APPROVAL_REQUESTED)
    (theirs,) = rows_for(colleague, Event.APPROVAL_REQUESTED)
    assert (mine.mail_state, theirs.mail_state) == (MailState.PENDING, MailState.DIGEST)
    assert mine.params["unit"] == 1 and mine.student_id == world["student_tx1"].id
    assert rows_for(world["teacher_tx2"]) == []
