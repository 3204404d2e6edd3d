"""One-time sign-in codes: issue (a newer one voids the older), look up, redeem with a password."""

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.audit.services import record_event
from app.auth.models import SignInToken, TokenPurpose
from app.auth.passwords import check_user_password
from app.common import utcnow
from app.extensions import db
from app.students.models import Student
from app.users.models import User
from app.users.services import end_sessions

# Letters and digits that cannot be misread on paper (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTHS = {TokenPurpose.SHEET: 12, TokenPurpose.INVITE: 26, TokenPurpose.RESET: 26}


class TokenError(ValueError):
    """The link or code cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def normalize_code(text: str) -> str:
    """A typed or scanned code as stored: uppercase, without spaces or hyphens."""
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())[:64]


def format_code(code: str) -> str:
    """A code for reading aloud and typing: groups of four (ABCD-EFGH-JKMN)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _lifetime(purpose: TokenPurpose) -> timedelta:
    config = current_app.config
    if purpose == TokenPurpose.RESET:
        return timedelta(minutes=config["PASSWORD_RESET_MINUTES"])
    if purpose == TokenPurpose.SHEET:
        return timedelta(days=config["SIGN_IN_SHEET_DAYS"])
    return timedelta(days=config["INVITE_DAYS"])


def student_id_of(user: User) -> int | None:
    """The student record signed in by `user`, for the audit trail."""
    return db.session.scalar(select(Student.id).where(Student.user_id == user.id))


def issue_token(user: User, purpose: TokenPurpose, by: User | None) -> tuple[SignInToken, str]:
    """A new one-time code for `user`; the user's older unused codes stop working.

    :returns: the record and the code (mailed or printed once; only its digest is stored).
    """
    now = utcnow()
    db.session.execute(
        update(SignInToken)
        .where(
            SignInToken.user_id == user.id,
            SignInToken.used_at.is_(None),
            SignInToken.expires_at > now,
        )
        .values(expires_at=now)
    )
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTHS[purpose]))
    token = SignInToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=SignInToken.digest(code),
        created_by_id=by.id if by else None,
        created_at=now,
        expires_at=now + _lifetime(purpose),
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        by,
        "auth.sign_in_code_issued",
        user,
        student_id=student_id_of(user),
        purpose=purpose.value,
        expires_at=token.expires_at.isoformat(timespec="minutes"),
    )
    return token, code


def _used_message() -> str:
    return _(
        "This sign-in link or code was already used. Sign in with your password, or ask for "
        "a new one."
    )


def find_token(code: str) -> SignInToken:
    """The usable token for `code`.

    :raises TokenError: unknown (404), already used or expired/replaced (410), account off (403).
    """
    code = normalize_code(code)
    token = (
        db.session.scalar(
            select(SignInToken).where(SignInToken.token_hash == SignInToken.digest(code))
        )
        if code
        else None
    )
    if token is None:
        raise TokenError(
            _("We do not know this sign-in link or code. Check it, or ask for a new one."), 404
        )
    if token.used_at is not None:
        raise TokenError(_used_message(), 410)
    if token.expires_at <= utcnow():
        message = _(
            "This sign-in link or code has expired, or a newer one replaced it. Ask your "
            "teacher for a new one, or use “Forgot your password?”."
        )
        raise TokenError(message, 410)
    if not token.user.is_active:
        raise TokenError(_("This account cannot sign in. Ask your teacher or the office."), 403)
    return token


def redeem_token(token: SignInToken, password: str) -> User:
    """Set the user's password with a one-time code: the code is spent, other sessions end.

    :raises PasswordError: when the password breaks the policy (nothing is changed).
    :raises TokenError: when another request spent the code first.
    """
    user = token.user
    check_user_password(user, password)
    # Spend the code first, in one conditional UPDATE: of two requests racing with the same
    # code, only one sets a password.
    spent = db.session.execute(
        update(SignInToken)
        .where(SignInToken.id == token.id, SignInToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if spent != 1:
        raise TokenError(_used_message(), 410)
    user.set_password(password)
    end_sessions(user)
    db.session.flush()
    record_event(
        user, "auth.password_set", user, student_id=student_id_of(user), purpose=token.purpose.value
    )
    return user
