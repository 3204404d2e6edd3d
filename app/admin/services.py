"""Admin services: find and create users, (de)activate them, find and create sites."""

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.errors import DomainError
from app.extensions import db
from app.search import contains
from app.sites.models import Site
from app.students.identifiers import STATE_CODE_RE
from app.users.models import Role, User
from app.users.services import UserError, create_user


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


def create_staff_user(by: User, data: dict) -> User:
    """Create a teacher, coordinator or admin account (students are added with their record).

    :param data: role, given_name, family_name, email, password, site_id (0 for none),
        state_code.
    :raises AdminError: naming what is wrong.
    """
    role = Role(data["role"])
    if role == Role.STUDENT:
        raise AdminError(_("Add students from the student list, with their record."))
    site = db.session.get(Site, data["site_id"]) if data.get("site_id") else None
    if data.get("site_id") and site is None:
        raise AdminError(_("Choose a site from the list."))
    state_code = (data.get("state_code") or "").strip().upper() or None
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
    if user.is_active != active:
        user.is_active = active
        db.session.flush()
        record_event(by, "user.reactivated" if active else "user.deactivated", user)
    return user
