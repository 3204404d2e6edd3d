"""Notification rows (one per recipient and event) and each user's delivery choices."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common import enum_column, utcnow
from app.extensions import db


class Event(enum.StrEnum):
    TEST_APPROVED = "test_approved"
    TEST_GRADED = "test_graded"
    TEST_RETURNED = "test_returned"
    CERTIFICATE_ISSUED = "certificate_issued"
    WORK_HANDED_IN = "work_handed_in"
    APPROVAL_REQUESTED = "approval_requested"
    STUDENT_INCOMING = "student_incoming"
    CREDIT_READY = "credit_ready"


class Delivery(enum.StrEnum):
    EMAIL = "email"  # on the page and by email, one message each
    DIGEST = "digest"  # on the page and in one email a day
    PAGE = "page"  # on the notifications page only
    OFF = "off"


class MailState(enum.StrEnum):
    NONE = "none"  # not mailed (page only)
    PENDING = "pending"  # to be mailed by the job queue
    DIGEST = "digest"  # waits for the daily digest
    SENDING = "sending"  # claimed by a job run
    SENT = "sent"
    FAILED = "failed"  # the mail server refused it too many times


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_mail_state", "mail_state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    event: Mapped[Event] = enum_column(Event)
    # Language-neutral details (names, both course titles, numbers), rendered in the reader's
    # language when shown or mailed.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # Where it leads: an endpoint and its values (a URL is built when shown, also in jobs).
    endpoint: Mapped[str | None] = mapped_column(String(64))
    endpoint_values: Mapped[dict] = mapped_column(JSON, default=dict)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("student.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mail_state: Mapped[MailState] = enum_column(MailState, default=MailState.NONE)
    # The job run that holds the mail (a digest claims all of a user's rows with one token).
    mail_claim: Mapped[str | None] = mapped_column(String(32), index=True)
    mail_claimed_at: Mapped[datetime | None]
    mail_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    mailed_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship()  # noqa: F821


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    event: Mapped[Event] = enum_column(Event)
    delivery: Mapped[Delivery] = enum_column(Delivery)
