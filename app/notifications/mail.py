"""Mail notifications, one message each or a user's daily digest; each mail once.

A run claims rows with a token in one conditional UPDATE and commits before it talks to the
mail server, so two runs (a retry, a second worker) never mail the same row; a refused mail
goes back to waiting, and stops after MAX_ATTEMPTS.
"""

import secrets
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_mailman import EmailMessage
from sqlalchemy import select, update

from app.auth.mail import mail_locale
from app.common import utcnow
from app.extensions import db
from app.notifications.events import LABELS, message
from app.notifications.models import MailState, Notification
from app.users.models import User

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=10)  # a run that died holding rows


def link_of(notification: Notification) -> str:
    """The absolute address a notification leads to (its list page when it names none)."""
    adapter = current_app.url_map.bind("", url_scheme="https")
    if notification.endpoint:
        path = adapter.build(notification.endpoint, notification.endpoint_values or {})
    else:
        path = adapter.build("notifications.index", {})
    return current_app.config["PUBLIC_BASE_URL"] + path


def _settings_link() -> str:
    adapter = current_app.url_map.bind("", url_scheme="https")
    return current_app.config["PUBLIC_BASE_URL"] + adapter.build("notifications.preferences", {})


def _claim(where) -> str:
    """Claim the rows `where` selects for this run and commit; the claim token."""
    token = secrets.token_hex(8)
    now = utcnow()
    db.session.execute(
        update(Notification)
        .where(where)
        .values(mail_state=MailState.SENDING, mail_claim=token, mail_claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return token


def _claimed(token: str) -> list[Notification]:
    stmt = (
        select(Notification)
        .where(Notification.mail_claim == token)
        .order_by(Notification.created_at, Notification.id)
    )
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def _send(user: User, subject: str, body: str, message_id: str) -> None:
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "puente"
    mail = EmailMessage(
        subject=subject,
        body=body,
        to=[user.email],
        headers={"Message-ID": f"<{message_id}@{host}>"},
    )
    mail.send()


def _settle(rows: list[Notification], sent: bool) -> None:
    now = utcnow()
    for row in rows:
        row.mail_claim = None
        if sent:
            row.mail_state, row.mailed_at = MailState.SENT, now
        else:
            row.mail_attempts += 1
            waiting = MailState.DIGEST if row.params.get("_digest") else MailState.PENDING
            row.mail_state = MailState.FAILED if row.mail_attempts >= MAX_ATTEMPTS else waiting
    db.session.commit()


def _deliver(token: str, rows: list[Notification], subject, body) -> bool:
    user = rows[0].user
    try:
        _send(user, subject, body, f"notification-{token}")
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("Notification mail to user %s not sent: %s", user.id, error)
        _settle(rows, sent=False)
        return False
    _settle(rows, sent=True)
    return True


def send_notification_mail(notification_id: int) -> bool:
    """Mail one notification if it still waits to be mailed; whether a mail went out."""
    token = _claim(
        (Notification.id == notification_id) & (Notification.mail_state == MailState.PENDING)
    )
    rows = _claimed(token)
    if not rows:
        return False
    row = rows[0]
    locale = mail_locale(row.user)
    with force_locale(locale):
        subject = f"Puente: {LABELS[row.event]}"
        body = render_template(
            "notifications/mail/notification.txt",
            user=row.user,
            text=message(row.event, row.params, locale),
            link=link_of(row),
            settings=_settings_link(),
        )
    return _deliver(token, rows, subject, body)


def send_digest(user_id: int) -> bool:
    """Mail the user one message with every notification waiting for their digest."""
    token = _claim(
        (Notification.user_id == user_id) & (Notification.mail_state == MailState.DIGEST)
    )
    rows = _claimed(token)
    if not rows:
        return False
    for row in rows:
        row.params = {**row.params, "_digest": True}  # a refused digest waits for the next one
    user = rows[0].user
    locale = mail_locale(user)
    with force_locale(locale):
        subject = _("Puente: your daily digest (%(count)s)", count=len(rows))
        items = [(message(r.event, r.params, locale), link_of(r)) for r in rows]
        body = render_template(
            "notifications/mail/digest.txt", user=user, items=items, settings=_settings_link()
        )
    return _deliver(token, rows, subject, body)


def waiting_mail(older_than: timedelta) -> list[int]:
    """Notifications still to mail (their job lost, or refused), and claims a dead run left."""
    now = utcnow()
    stmt = select(Notification.id).where(
        (
            (Notification.mail_state == MailState.PENDING)
            & (Notification.created_at < now - older_than)
        )
        | (
            (Notification.mail_state == MailState.SENDING)
            & (Notification.mail_claimed_at < now - STALE_CLAIM)
        )
    )
    ids = list(db.session.scalars(stmt.limit(500)))
    if ids:
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.mail_state == MailState.SENDING)
            .values(mail_state=MailState.PENDING, mail_claim=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return ids


def digests_due(period: timedelta) -> list[int]:
    """Users whose oldest notification waiting for the digest is a day old (or `period`)."""
    stmt = (
        select(Notification.user_id)
        .where(Notification.mail_state == MailState.DIGEST)
        .group_by(Notification.user_id)
        .having(db.func.min(Notification.created_at) <= utcnow() - period)
    )
    return list(db.session.scalars(stmt))
