"""Answers and hand-ins sent from a phone's outbox: each counts once, the server judges it."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.common import utcnow
from app.courses.models import Section
from app.extensions import db
from app.learning.models import (
    Answer,
    AnswerReceipt,
    Attempt,
    AttemptStatus,
    ReceiptKind,
    ReceiptOutcome,
)
from app.learning.services import LearningError, hand_in_test, save_answers
from app.users.models import User

MAX_AGE = timedelta(days=60)  # an answer older than this is dated as if typed 60 days ago


def typed_at(age_ms: object) -> datetime:
    """When the phone says the answer was typed, from its age in milliseconds when sent (an age
    needs no agreement between the phone's clock and ours)."""
    age = timedelta(milliseconds=age_ms) if isinstance(age_ms, int) and age_ms > 0 else timedelta()
    return utcnow() - min(age, MAX_AGE)


def previous_receipt(key: str) -> AnswerReceipt | None:
    return db.session.scalar(select(AnswerReceipt).where(AnswerReceipt.idempotency_key == key))


def _record(key, user, attempt, kind, outcome, when, item_id=None) -> AnswerReceipt:
    receipt = AnswerReceipt(
        idempotency_key=key,
        user_id=user.id,
        attempt_id=attempt.id,
        item_id=item_id,
        kind=kind,
        outcome=outcome,
        typed_at=when,
    )
    db.session.add(receipt)
    db.session.flush()  # a second copy of the same key stops here (unique index): a 409
    return receipt


def receive_answer(
    attempt: Attempt, user: User, key: str, item_id: int, response: str, when: datetime
) -> tuple[AnswerReceipt, Answer | None]:
    """Apply one answer sent by a phone, once. The answer typed last wins, wherever it was
    typed: an answer that reached Puente from another device after this one was typed stays.

    :raises LearningError: when the test is closed or the item is not the attempt's.
    """
    current = db.session.scalar(
        select(Answer).where(Answer.attempt_id == attempt.id, Answer.item_id == item_id)
    )
    newer = current is not None and (current.typed_at or current.updated_at) > when
    if newer and attempt.section == Section.TEST:
        kept = ReceiptOutcome.KEPT_NEWER
        return _record(key, user, attempt, ReceiptKind.ANSWER, kept, when, item_id), current
    (answer,) = save_answers(attempt, {item_id: response})
    answer.typed_at = when
    receipt = _record(key, user, attempt, ReceiptKind.ANSWER, ReceiptOutcome.SAVED, when, item_id)
    return receipt, answer


def receive_hand_in(
    attempt: Attempt, user: User, student, key: str, when: datetime
) -> AnswerReceipt:
    """Hand in a test from a phone's outbox, once; a test already handed in stays as it is.

    :raises LearningError: when the attempt is not a unit test.
    """
    if attempt.section != Section.TEST:
        raise LearningError(_("Only a unit test is handed in."))
    if attempt.status in (AttemptStatus.IN_PROGRESS, AttemptStatus.RETURNED):
        hand_in_test(attempt, student)
    return _record(key, user, attempt, ReceiptKind.HAND_IN, ReceiptOutcome.HANDED_IN, when)
