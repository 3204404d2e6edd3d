"""The mail jobs: queued once the event's transaction commits, never sent inside a request.

`notify` flags the session; when it commits, the flag becomes a queued job (with a real
worker at once; with `JOBS_IMMEDIATE`, as in tests, after the request's commit, since a job run
inside a commit cannot use the session; a commit outside a request then queues nothing, and the
watcher or the test runs the job). A rolled-back transaction drops the flag and its rows.
A watcher mails what a lost job or a refused mail left, and sends the digests that are due.
"""

from datetime import timedelta

from flask import Flask, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import huey, in_app_context, watch
from app.notifications.mail import digests_due, send_digest, send_notification_mail, waiting_mail
from app.notifications.models import MailState, Notification
from app.notifications.services import MAIL_DUE

COMMITTED = "notifications_mail_committed"


@huey.task()
def mail_notifications_task() -> None:
    in_app_context(mail_waiting_notifications)


@huey.task()
def digest_task(user_id: int) -> None:
    in_app_context(send_digest, user_id)


def mail_waiting_notifications() -> int:
    """Mail every notification waiting to be mailed; how many went out."""
    ids = db.session.scalars(
        db.select(Notification.id)
        .where(Notification.mail_state == MailState.PENDING)
        .order_by(Notification.id)
        .limit(500)
    ).all()
    return sum(send_notification_mail(i) for i in ids)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(MAIL_DUE, False):
        if not huey.immediate:
            mail_notifications_task()
        elif has_request_context():
            session.info[COMMITTED] = True


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(MAIL_DUE, None)


def dispatch_committed() -> None:
    """Run the mail job for what the request committed (JOBS_IMMEDIATE only)."""
    if db.session.info.pop(COMMITTED, False):
        mail_notifications_task()


def register(app: Flask) -> None:
    @app.after_request
    def _mail_after_commit(response):
        dispatch_committed()
        return response


@watch
def mail_left_behind(at_start: bool) -> None:
    """Mail what a lost job or a refused mail left; send the daily digests that are due."""
    if waiting_mail(timedelta(minutes=1)):
        mail_notifications_task()
    hours = current_app.config.get("NOTIFICATION_DIGEST_HOURS", 24)
    for user_id in digests_due(timedelta(hours=hours)):
        digest_task(user_id)
