"""Answers and hand-ins from a phone's outbox: each key counts once, the server judges each."""

import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from app.common import utcnow
from app.extensions import db
from app.learning.models import Answer, AnswerReceipt, AttemptStatus, ReceiptKind, ReceiptOutcome
from tests import factories
from tests.learning.test_unit_work import items, start_test


@pytest.fixture
def testing(client, auth, world):
    student = world["student_tx1"]
    enrollment = factories.make_enrollment(student, world["course"], by=world["teacher_tx1"])
    progress = enrollment.units[0]
    auth.login(student.user)
    attempt = start_test(client, progress)
    return student, progress, attempt, items(progress, "test")


def send(client, attempt, item, response, key=None, age_ms=0):
    return client.post(
        f"/learn/attempts/{attempt.id}/autosave",
        json={
            "key": key or str(uuid.uuid4()),
            "item_id": item.id,
            "response": response,
            "age_ms": age_ms,
        },
    )


def receipts(attempt):
    return db.session.query(AnswerReceipt).filter_by(attempt_id=attempt.id).count()


def test_the_same_answer_sent_twice_counts_once(client, testing):
    _, _, attempt, test_items = testing
    key = str(uuid.uuid4())
    first = send(client, attempt, test_items["t2"], "12", key=key)
    assert first.status_code == 200 and first.json["outcome"] == "saved"
    assert first.json["duplicate"] is False
    # The phone did not hear the answer and sends again, after typing something else.
    send(client, attempt, test_items["t2"], "13")
    again = send(client, attempt, test_items["t2"], "12", key=key)
    assert again.status_code == 200 and again.json["duplicate"] is True
    assert receipts(attempt) == 2
    answer = db.session.query(Answer).filter_by(attempt_id=attempt.id).one()
    assert answer.response == "13"  # the resend changed nothing


def test_the_database_refuses_a_second_receipt_with_the_same_key(testing):
    student, _, attempt, _ = testing
    for _ in range(2):
        db.session.add(
            AnswerReceipt(
                idempotency_key="k" * 32,
                user_id=student.user.id,
                attempt_id=attempt.id,
                kind=ReceiptKind.ANSWER,
                outcome=ReceiptOutcome.SAVED,
                typed_at=utcnow(),
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_answer_typed_last_wins_across_devices(client, testing):
    _, _, attempt, test_items = testing
    assert send(client, attempt, test_items["t1"], "a").json["outcome"] == "saved"
    # A phone comes back online with an answer typed an hour ago: the newer one stays.
    old = send(client, attempt, test_items["t1"], "c", age_ms=3_600_000)
    assert old.json["outcome"] == "kept_newer" and "another device" in old.json["message"]
    answer = db.session.query(Answer).filter_by(attempt_id=attempt.id).one()
    assert answer.response == "a"


def test_a_handed_in_test_takes_no_late_answer_and_hand_in_counts_once(client, testing):
    _, _, attempt, test_items = testing
    key = str(uuid.uuid4())
    url = f"/learn/attempts/{attempt.id}/hand-in"
    handed = client.post(url, json={"key": key, "age_ms": 10})
    assert handed.status_code == 200 and handed.json["result_url"].endswith("/result")
    assert attempt.status in (AttemptStatus.SUBMITTED, AttemptStatus.GRADED)
    again = client.post(url, json={"key": key})
    assert again.json["duplicate"] is True
    late = send(client, attempt, test_items["t1"], "b")
    assert late.status_code == 422 and late.json["outcome"] == "refused"
    assert "handed in" in late.json["message"]
    assert receipts(attempt) == 1


@pytest.mark.parametrize("key", ["short", "x" * 65, 12, "bad key with spaces!!"])
def test_a_malformed_key_is_a_400(client, testing, key):
    _, _, attempt, test_items = testing
    response = client.post(
        f"/learn/attempts/{attempt.id}/autosave",
        json={"key": key, "item_id": test_items["t1"].id, "response": "b"},
    )
    assert response.status_code == 400
    assert receipts(attempt) == 0


def test_a_lost_session_is_named_so_the_phone_keeps_the_answers(app, testing):
    _, _, attempt, test_items = testing
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        fresh = app.test_client()  # no session, so no CSRF token
        response = fresh.post(
            f"/learn/attempts/{attempt.id}/autosave",
            json={"key": str(uuid.uuid4()), "item_id": test_items["t1"].id, "response": "b"},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400 and response.json["reason"] == "session"
    assert "Sign in again" in response.json["message"]


def test_offline_pages_list_the_course(client, testing):
    _, progress, _, _ = testing
    urls = client.get(f"/learn/enrollments/{progress.enrollment_id}/offline.json").json["urls"]
    assert f"/learn/units/{progress.id}/lessons/1" in urls
    assert f"/learn/units/{progress.id}/test" in urls  # the open test
    assert f"/learn/units/{progress.id}/practice" in urls
