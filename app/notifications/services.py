"""Notify people of events (rows in the event's own transaction), read, mark read, choose."""

from collections.abc import Iterable

from flask import has_request_context
from sqlalchemy import Select, case, or_, select, update

from app.common import utcnow
from app.extensions import db
from app.jobs import huey
from app.notifications.events import deliveries_for, events_for
from app.notifications.models import Delivery, Event, MailState, Notification
from app.notifications.models import NotificationPreference as Preference
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role, User

MAIL_STATE = {
    Delivery.EMAIL: MailState.PENDING,
    Delivery.DIGEST: MailState.DIGEST,
    Delivery.PAGE: MailState.NONE,
}
MAIL_DUE = "notifications_mail_due"  # session.info flag: mail to send once this commits


def notify(
    event: Event,
    recipients: Iterable[User | None],
    *,
    student: Student | None = None,
    target: tuple[str, dict] | None = None,
    actor: User | None = None,
    **params,
) -> list[Notification]:
    """Tell `recipients` of `event`, each as they chose (page, email, digest or nothing).

    The rows join the caller's transaction: a rolled-back event notifies no one, and the mail
    job sends once the transaction commits (see app/notifications/tasks.py).

    :param target: the endpoint and its values the notification leads to.
    :param actor: who caused it (not told of their own action).
    :param params: names and numbers for the sentence (`course_en`, `course_es`, `unit`, ...).
    """
    people = {u.id: u for u in recipients if u is not None and u.is_active}
    people.pop(getattr(actor, "id", None), None)
    if not people:
        return []
    chosen = dict(
        db.session.execute(
            select(Preference.user_id, Preference.delivery).where(
                Preference.event == event, Preference.user_id.in_(people)
            )
        ).all()
    )
    endpoint, values = target or (None, {})
    rows = []
    for user_id in sorted(people):
        delivery = chosen.get(user_id, Delivery.EMAIL)
        if delivery == Delivery.OFF:
            continue
        if delivery == Delivery.EMAIL and not people[user_id].email:
            delivery = Delivery.PAGE
        rows.append(
            Notification(
                user_id=user_id,
                event=event,
                params=params,
                endpoint=endpoint,
                endpoint_values=values,
                student_id=getattr(student, "id", None),
                mail_state=MAIL_STATE.get(delivery, MailState.NONE),
            )
        )
    if not rows:
        return []
    db.session.add_all(rows)
    db.session.execute(
        update(User)
        .where(User.id.in_([r.user_id for r in rows]))
        .values(unread_notifications=User.unread_notifications + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    if any(r.mail_state == MailState.PENDING for r in rows) and _queues_mail():
        db.session.info[MAIL_DUE] = True
    return rows


def _queues_mail() -> bool:
    """Whether this transaction's commit queues the mail job: always with a real queue; with
    immediate jobs (tests) only inside a request, where the job runs after the request's commit
    (a test's own setup runs the job itself when it wants the mail)."""
    return has_request_context() or not huey.immediate


# --- who is told -----------------------------------------------------------------------------


def student_account(student: Student) -> list[User]:
    return [student.user] if student.user is not None else []


def site_teachers(site_id: int) -> list[User]:
    stmt = select(User).where(
        User.role == Role.TEACHER, User.site_id == site_id, User.is_active.is_(True)
    )
    return list(db.session.scalars(stmt))


def coordinators_for(state_code: str, site_id: int | None = None) -> list[User]:
    """Coordinators who see what comes to `state_code` (or to its site `site_id`): the state's
    own, and those of the named site, or of every site in the state when none is named."""
    state_wide = User.site_id.is_(None) & (User.state_code == state_code)
    if site_id is not None:
        scope = or_(User.site_id == site_id, state_wide)
    else:
        in_state = select(Site.id).where(Site.state_code == state_code)
        scope = or_(User.site_id.in_(in_state), state_wide)
    stmt = select(User).where(User.role == Role.COORDINATOR, User.is_active.is_(True), scope)
    return list(db.session.scalars(stmt))


def site_coordinators(site: Site) -> list[User]:
    return coordinators_for(site.state_code, site.id)


# --- the page ----------------------------------------------------------------------------------


def notifications_of(user: User) -> Select:
    """The user's notifications, newest first (paginate it)."""
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def _lower_unread(user: User, count: int) -> None:
    if count:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(
                unread_notifications=case(
                    (User.unread_notifications > count, User.unread_notifications - count),
                    else_=0,
                )
            )
            .execution_options(synchronize_session=False)
        )


def mark_read(user: User, notification: Notification) -> None:
    """Mark one of the user's notifications read (again is harmless)."""
    done = db.session.execute(
        update(Notification)
        .where(Notification.id == notification.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    _lower_unread(user, done)


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many were."""
    done = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    _lower_unread(user, done)
    return done


# --- preferences -------------------------------------------------------------------------------


def preferences_of(user: User) -> dict[Event, Delivery]:
    """Each event the user's role may receive, with the delivery they chose (email by default)."""
    chosen = dict(
        db.session.execute(
            select(Preference.event, Preference.delivery).where(Preference.user_id == user.id)
        ).all()
    )
    return {event: chosen.get(event, Delivery.EMAIL) for event in events_for(user.role)}


def save_preferences(user: User, choices: dict[Event, Delivery]) -> None:
    """Keep the user's choices (only events of their role, deliveries those events allow)."""
    existing = {
        p.event: p
        for p in db.session.scalars(select(Preference).where(Preference.user_id == user.id))
    }
    for event in events_for(user.role):
        delivery = choices.get(event)
        if delivery is None or delivery not in deliveries_for(event):
            continue
        if event in existing:
            existing[event].delivery = delivery
        else:
            db.session.add(Preference(user_id=user.id, event=event, delivery=delivery))
    db.session.flush()
