"""Move notices: the sending site reports a move; staff where the student is going see and receive it."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true, update
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.common import utcnow
from app.enrollments.models import Enrollment, UnitProgress
from app.errors import DomainError
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from app.moves.models import InboundStatus, InboundTransfer, MoveStatus, StudentMove
from app.notifications.models import Event
from app.notifications.services import coordinators_for, notify
from app.permissions import student_scope
from app.places import place
from app.sites.models import Site
from app.students.models import Student
from app.users.models import Role, User

MAX_DAYS_FROM_TODAY = 366  # a move date more than a year away is a typing mistake
NOTE_LENGTH = 500


class MoveError(DomainError):
    """The notice cannot be written or changed; the message says why."""

    status = 400


def report_move(
    student: Student,
    by: User,
    destination_code: str,
    destination_site_id: int | None,
    move_date: date | None,
    note: str | None,
) -> StudentMove:
    """Announce that `student` is moving to a state or country (and maybe a site of ours).

    :raises MoveError: for an unknown destination, a site outside it, a date more than a year
        from today, a long note, or a notice already open for the student.
    """
    code = (destination_code or "").strip().upper()
    destination = place(code)
    if destination is None:
        raise MoveError(
            _(
                "“%(code)s” is not a destination Puente knows: choose a US state, "
                "a Mexican state, or the country.",
                code=code or "—",
            )
        )
    site = None
    if destination_site_id:
        site = db.session.get(Site, destination_site_id)
        if site is None or site.is_external:
            raise MoveError(_("Choose a receiving site of this installation, or none."))
        if site.id == student.site_id:
            raise MoveError(_("The receiving site is the student's own site."))
        if site.state_code != code and not (destination.is_country and site.country == code):
            raise MoveError(
                _(
                    "The receiving site %(site)s is not in %(place)s.",
                    site=site.name,
                    place=destination.name(),
                )
            )
        code = site.state_code  # a site names the state, even when only the country was chosen
    if move_date is None:
        raise MoveError(_("Enter the date of the move."))
    if abs((move_date - date.today()).days) > MAX_DAYS_FROM_TODAY:
        raise MoveError(_("The date of the move must be within a year of today."))
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LENGTH:
        raise MoveError(_("The note is too long (500 characters at most)."))
    if open_move(student) is not None:
        raise MoveError(_("This student already has an open move notice: cancel it first."))
    move = StudentMove(
        student_id=student.id,
        from_site_id=student.site_id,
        destination_code=code,
        destination_site_id=site.id if site else None,
        move_date=move_date,
        note=note,
        status=MoveStatus.MOVING,
        reported_by_id=by.id,
    )
    db.session.add(move)
    db.session.flush()
    record_event(
        by,
        "move.reported",
        move,
        student_id=student.id,
        from_site=student.site.code,
        destination=code,
        destination_site=site.code if site else None,
        move_date=move_date.isoformat(),
    )
    notify(
        Event.STUDENT_INCOMING,
        coordinators_for(code, site.id if site else None),
        student=student,
        target=("moves.incoming", {}),
        actor=by,
        student_name=student.full_name,
        place=code,
    )
    return move


def move_student(student: Student, site: Site) -> None:
    """Make `site` the student's site; open work moves with them into its grading queue."""
    student.site_id = site.id
    open_ids = (
        select(Attempt.id)
        .join(Attempt.unit_progress)
        .join(UnitProgress.enrollment)
        .where(
            Enrollment.student_id == student.id,
            Attempt.status.in_(
                [AttemptStatus.IN_PROGRESS, AttemptStatus.SUBMITTED, AttemptStatus.RETURNED]
            ),
        )
    )
    db.session.execute(update(Attempt).where(Attempt.id.in_(open_ids)).values(site_id=site.id))


def cancel_move(move: StudentMove, by: User, reason: str | None = None) -> None:
    """The family did not move after all: close the notice as cancelled."""
    _close(move, by, MoveStatus.CANCELLED)
    record_event(by, "move.cancelled", move, student_id=move.student_id, reason=reason or None)


def receive_move(move: StudentMove, site: Site, by: User) -> None:
    """Take the student in at `site`: the record (and open work) moves there; the notice is arrived.

    The caller checks that `site` is one of `receiving_sites(by, move, ...)`.
    """
    from_site = move.student.site
    _close(move, by, MoveStatus.ARRIVED)
    move_student(move.student, site)
    move.destination_site_id = site.id
    db.session.flush()
    record_event(
        by,
        "move.received",
        move,
        student_id=move.student_id,
        from_site=from_site.code,
        to_site=site.code,
        destination=move.destination_code,
    )


def _close(move: StudentMove, by: User, status: MoveStatus) -> None:
    if move.status != MoveStatus.MOVING:
        raise MoveError(_("This move notice is already closed."), 409)
    move.status, move.closed_by_id, move.closed_at = status, by.id, utcnow()


def open_move(student: Student) -> StudentMove | None:
    return db.session.scalar(
        select(StudentMove).where(
            StudentMove.student_id == student.id, StudentMove.status == MoveStatus.MOVING
        )
    )


def student_moves(student: Student) -> list[StudentMove]:
    """Every notice for the student, newest first."""
    return list(
        db.session.scalars(
            select(StudentMove)
            .where(StudentMove.student_id == student.id)
            .options(
                selectinload(StudentMove.destination_site),
                selectinload(StudentMove.from_site),
                selectinload(StudentMove.reported_by),
            )
            .order_by(StudentMove.reported_at.desc(), StudentMove.id.desc())
        )
    )


def incoming_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause for the notices whose destination is `user`'s scope.

    A site's staff see notices naming their site, or their state with no site chosen (not their
    own students'); a notice naming only the country goes to coordinators there, not to every
    site; a state coordinator sees notices to the state (and country-only ones for its country);
    an admin sees all. Once a notice is closed, only those who may see the student's record
    still see it.
    """
    if user.role == Role.ADMIN:
        return true()
    if user.role not in (Role.TEACHER, Role.COORDINATOR):
        return false()
    no_site = StudentMove.destination_site_id.is_(None)
    if user.site_id:
        state = user.site.state_code
        places = [
            StudentMove.destination_site_id == user.site_id,
            and_(no_site, StudentMove.destination_code == state),
        ]
        if user.role == Role.COORDINATOR:
            places.append(and_(no_site, StudentMove.destination_code == state[:2]))
        where = and_(StudentMove.from_site_id != user.site_id, or_(*places))
    elif user.role == Role.COORDINATOR and user.state_code:
        where = or_(
            StudentMove.destination_code == user.state_code,
            StudentMove.destination_site_id.in_(
                select(Site.id).where(Site.state_code == user.state_code)
            ),
            and_(no_site, StudentMove.destination_code == user.state_code[:2]),
        )
    else:
        return false()
    still_open = StudentMove.status == MoveStatus.MOVING
    visible = StudentMove.student_id.in_(select(Student.id).where(student_scope(user)))
    return and_(where, or_(still_open, visible))


def is_incoming_for(user: User, move: StudentMove) -> bool:
    return (
        db.session.scalar(
            select(StudentMove.id).where(StudentMove.id == move.id, incoming_scope(user))
        )
        is not None
    )


def incoming_moves(user: User, status: str | None) -> Select:
    """Notices in `user`'s incoming scope, oldest move date first; `status` narrows them
    ("all" for every status; default: still moving)."""
    stmt = (
        select(StudentMove)
        .where(incoming_scope(user))
        .options(
            selectinload(StudentMove.student).selectinload(Student.site),
            selectinload(StudentMove.from_site),
            selectinload(StudentMove.destination_site),
        )
        .order_by(StudentMove.move_date, StudentMove.id)
    )
    if status != "all":
        chosen = status if status in {s.value for s in MoveStatus} else MoveStatus.MOVING
        stmt = stmt.where(StudentMove.status == MoveStatus(chosen))
    return stmt


def receiving_sites(move: StudentMove, sites: list[Site]) -> list[Site]:
    """Of `sites` (the user's own), those that may take the student in under this notice."""
    if move.destination_site_id:
        return [s for s in sites if s.id == move.destination_site_id]
    code = move.destination_code
    return [
        s
        for s in sites
        if s.id != move.from_site_id
        and (s.state_code == code or (len(code) == 2 and s.country == code))
    ]


def served_here(code: str) -> bool:
    """Whether a site of this installation is in the state (or country) `code`."""
    where = Site.state_code == code if len(code) > 2 else Site.state_code.like(f"{code}-%")
    return (
        db.session.scalar(select(Site.id).where(where, Site.is_external.is_(False)).limit(1))
        is not None
    )


def inbound_scope(user: User) -> ColumnElement[bool]:
    """A WHERE clause for moves other installations sent here whose destination is `user`'s
    scope: staff of a site in the destination state (a country-only notice: its coordinators);
    admins all. Once received, only those who may see the student's record see it."""
    if user.role == Role.ADMIN:
        return true()
    if user.role not in (Role.TEACHER, Role.COORDINATOR):
        return false()
    state = user.site.state_code if user.site_id else user.state_code
    if not state:
        return false()
    places = [InboundTransfer.destination_code == state]
    if user.role == Role.COORDINATOR:
        places.append(InboundTransfer.destination_code == state[:2])
    still_open = InboundTransfer.status == InboundStatus.INCOMING
    visible = InboundTransfer.student_id.in_(select(Student.id).where(student_scope(user)))
    return and_(or_(*places), or_(still_open, visible))


def inbound_moves(user: User, status: str | None) -> Select:
    """Moves sent here by other installations, in `user`'s scope, oldest move date first."""
    stmt = (
        select(InboundTransfer)
        .where(inbound_scope(user))
        .order_by(InboundTransfer.move_date, InboundTransfer.id)
    )
    if status != "all":
        chosen = InboundStatus.RECEIVED if status == MoveStatus.ARRIVED else InboundStatus.INCOMING
        stmt = stmt.where(InboundTransfer.status == chosen)
    return stmt


def inbound_receiving_sites(inbound: InboundTransfer, sites: list[Site]) -> list[Site]:
    """Of `sites` (the user's own), those in the destination the other installation named."""
    code = inbound.destination_code
    return [s for s in sites if code in (s.state_code, s.country)]
