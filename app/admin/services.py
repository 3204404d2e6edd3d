"""Admin services: find and create users, (de)activate them, find and create sites."""

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.errors import DomainError
from app.extensions import db
from app.search import contains
from app.sites.models import Site
from app.students.identifiers import STATE_CODE_RE
from app.users.models import Role, User
from app.users.services import UserError, create_user, end_sessions


class AdminError(DomainError):
    """An admin change is refused; the message says why."""

    status = 400


def filter_users(args) -> Select:
    """Every user, narrowed by ?q= (name or email) and ?role=, by family name."""
    stmt = select(User).options(selectinload(User.site)).order_by(User.family_name, User.id)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains(q, User.email, User.username, User.given_name, User.family_name))
    role = args.get("role")
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    return stmt


def _placement(role: Role, site_id, state_code) -> tuple[Site | None, str | None]:
    """The site and state a staff account of `role` gets: the one rule for creating and editing.

    :raises AdminError: naming what is wrong.
    """
    site = db.session.get(Site, site_id) if site_id else None
    if site_id and site is None:
        raise AdminError(_("Choose a site from the list."))
    state_code = (state_code or "").strip().upper() or None
    if state_code and not STATE_CODE_RE.match(state_code):
        raise AdminError(_("Use an ISO 3166-2 code such as US-TX or MX-MIC."))
    if role == Role.TEACHER and site is None:
        raise AdminError(_("A teacher needs a site."))
    if role == Role.COORDINATOR:
        if site is None and state_code is None:
            raise AdminError(_("A coordinator needs a state or a site."))
        if site is not None:
            if state_code and state_code != site.state_code:
                raise AdminError(_("The site is not in the state given."))
            state_code = site.state_code
    if role == Role.ADMIN:
        site, state_code = None, None
    if role == Role.TEACHER:
        state_code = None
    return site, state_code


def create_staff_user(by: User, data: dict) -> User:
    """Create a teacher, coordinator or admin account (students are added with their record).

    :param data: role, given_name, family_name, email, password, site_id (0 for none),
        state_code.
    :raises AdminError: naming what is wrong.
    """
    role = Role(data["role"])
    if role == Role.STUDENT:
        raise AdminError(_("Add students from the student list, with their record."))
    site, state_code = _placement(role, data.get("site_id"), data.get("state_code"))
    email = data["email"].strip().lower()
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise AdminError(_("A user with this email already exists."))
    try:
        user = create_user(
            email,
            data["password"],
            role,
            data["given_name"].strip(),
            data["family_name"].strip(),
            site_id=site.id if site else None,
            state_code=state_code,
        )
    except UserError as error:  # the password policy (app/auth/passwords.py), or a race
        raise AdminError(str(error)) from error
    record_event(
        by,
        "user.created",
        user,
        role=role.value,
        site=site.code if site else None,
        state=state_code,
    )
    return user


def set_user_active(user: User, by: User, active: bool) -> User:
    """Deactivate (sign-in refused, sessions end) or reactivate an account.

    :raises AdminError: when an admin tries to deactivate their own account.
    """
    if user.id == by.id and not active:
        raise AdminError(_("You cannot deactivate your own account."))
    if not active:
        _keep_an_admin(user)
    if user.is_active != active:
        user.is_active = active
        if not active:
            end_sessions(user)
        db.session.flush()
        record_event(by, "user.reactivated" if active else "user.deactivated", user)
    return user


def _keep_an_admin(user: User) -> None:
    """:raises AdminError: when `user` is the last active admin (they may not stop being one).

    Every active admin's row is locked in id order (PostgreSQL): of two admins demoting each
    other at the same moment, the second waits, then sees the first's change and is refused.
    """
    if user.role != Role.ADMIN or not user.is_active:
        return
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write first takes its one writer's lock, so a second
        # request waits here and then reads the first one's change.
        db.session.execute(
            update(User).where(User.role == Role.ADMIN).values(is_active=User.is_active)
        )
    active = db.session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN, User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
    ).all()
    if not set(active) - {user.id}:
        raise AdminError(
            _("%(name)s is the last active admin: make another admin first.", name=user.full_name)
        )


EDITABLE = ("given_name", "family_name", "role", "site_id", "state_code", "is_active")


def _values(user: User) -> dict:
    return {
        "given_name": user.given_name,
        "family_name": user.family_name,
        "role": user.role.value,
        "site_id": user.site_id,
        "state_code": user.state_code,
        "is_active": user.is_active,
    }


def update_user(user: User, by: User, data: dict) -> User:
    """Edit an account's name, role, site or state, and whether it may sign in.

    A change of role, site or state, or a deactivation, ends the user's sessions (their access
    changed); every change is in the audit trail with its old and new value.

    :param data: given_name, family_name, role, site_id (0 for none), state_code, is_active.
    :raises AdminError: naming what is wrong (a student's role, the last admin, one's own
        account deactivated, a site or state that does not fit the role).
    """
    before = _values(user)
    given, family = (data.get("given_name") or "").strip(), (data.get("family_name") or "").strip()
    if not given or not family:
        raise AdminError(_("Enter the given names and the family names."))
    active = bool(data.get("is_active"))
    if user.role == Role.STUDENT:
        # A student's account follows the student record: its site moves with the record.
        if data.get("role") not in (None, Role.STUDENT.value):
            raise AdminError(_("A student's account stays a student's account."))
        role, site_id, state_code = Role.STUDENT, user.site_id, None
    else:
        role = Role(data["role"])
        if role == Role.STUDENT:
            raise AdminError(_("Add students from the student list, with their record."))
        site, state_code = _placement(role, data.get("site_id"), data.get("state_code"))
        site_id = site.id if site else None
    if user.id == by.id and not active:
        raise AdminError(_("You cannot deactivate your own account."))
    if role != Role.ADMIN or not active:
        _keep_an_admin(user)
    user.given_name, user.family_name = given[:100], family[:100]
    user.role, user.site_id, user.state_code, user.is_active = role, site_id, state_code, active
    after = _values(user)
    changed = {key: [before[key], after[key]] for key in EDITABLE if before[key] != after[key]}
    if not changed:
        return user
    if {"role", "site_id", "state_code"} & changed.keys() or not active:
        end_sessions(user)
    db.session.flush()
    record_event(by, "user.updated", user, changes=changed)
    return user
