"""Attempt and answer models for unit work (practice) and unit tests."""

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.courses.models import Section
from app.extensions import db


class AttemptStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"  # awaiting a teacher's grading of open items
    RETURNED = "returned"  # returned to the student for revision
    GRADED = "graded"


class Mode(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"  # scores entered by a teacher from a paper packet


class Attempt(db.Model):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("unit_progress_id", "section", "number"),
        Index("ix_attempt_queue", "status", "submitted_at"),
        Index("ix_attempt_site_queue", "site_id", "status", "section", "submitted_at", "id"),
        # A state's or the installation's grading queue walks this one in order (index only).
        Index("ix_attempt_test_queue", "status", "section", "submitted_at", "id", "site_id"),
        CheckConstraint("number >= 1", name="number_range"),
        CheckConstraint(
            "auto_points >= 0 AND manual_points >= 0 AND max_points >= 0", name="points_range"
        ),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_progress_id: Mapped[int] = mapped_column(ForeignKey("unit_progress.id"))
    section: Mapped[Section] = enum_column(Section)
    number: Mapped[int] = mapped_column(default=1)
    mode: Mapped[Mode] = enum_column(Mode, default=Mode.ONLINE)
    status: Mapped[AttemptStatus] = enum_column(AttemptStatus, default=AttemptStatus.IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The student's site when handed in, kept in step while the attempt is open (a move updates
    # it): grading queues filter on it.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))
    auto_points: Mapped[float] = mapped_column(default=0)
    manual_points: Mapped[float] = mapped_column(default=0)
    max_points: Mapped[float] = mapped_column(default=0)
    percent: Mapped[float | None]
    feedback: Mapped[str | None] = mapped_column(Text)
    # Bumped by every change: a save made from an older version is refused (optimistic lock).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    unit_progress: Mapped["UnitProgress"] = relationship()  # noqa: F821
    graded_by: Mapped["User | None"] = relationship()  # noqa: F821
    answers: Mapped[list["Answer"]] = relationship(back_populates="attempt")

    __mapper_args__ = {"version_id_col": version}


class Answer(db.Model):
    __tablename__ = "answer"
    # At most the item's points is checked where the answer is scored (another table's column).
    __table_args__ = (
        UniqueConstraint("attempt_id", "item_id"),
        CheckConstraint("points >= 0", name="points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    response: Mapped[str] = mapped_column(Text, default="")
    is_correct: Mapped[bool | None]
    points: Mapped[float | None]  # None until scored (open items wait for a teacher)
    feedback: Mapped[str | None] = mapped_column(String(2000))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # When a phone's outbox says it was typed (None: typed when it reached Puente, updated_at).
    typed_at: Mapped[datetime | None]

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
    item: Mapped["Item"] = relationship()  # noqa: F821


class ApprovalRequest(db.Model):
    """A student asks the teacher to approve a unit test; the approval resolves it."""

    __tablename__ = "approval_request"
    # One open request per unit, kept by the database (asking twice, or twice at once, is one).
    __table_args__ = (
        Index(
            "uq_approval_request_open",
            "unit_progress_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_approval_request_open_at", "resolved_at", "requested_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_progress_id: Mapped[int] = mapped_column(ForeignKey("unit_progress.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    unit_progress: Mapped["UnitProgress"] = relationship()  # noqa: F821


class ReceiptKind(enum.StrEnum):
    ANSWER = "answer"
    HAND_IN = "hand_in"


class ReceiptOutcome(enum.StrEnum):
    SAVED = "saved"  # the answer is now the attempt's answer
    KEPT_NEWER = "kept_newer"  # a newer answer (typed later on another device) was kept
    HANDED_IN = "handed_in"
    REFUSED = "refused"  # the server refused it (closed test, foreign item): nothing changed


class AnswerReceipt(db.Model):
    """One answer or hand-in sent by a phone, named by the phone's idempotency key: the unique
    key is what makes a resend (after a lost connection or a double send) count once."""

    __tablename__ = "answer_receipt"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"))
    kind: Mapped[ReceiptKind] = enum_column(ReceiptKind)
    outcome: Mapped[ReceiptOutcome] = enum_column(ReceiptOutcome)
    typed_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
