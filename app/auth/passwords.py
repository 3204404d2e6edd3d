"""Puente's password policy, after NIST SP 800-63B: length, not composition; no common passwords.

At least MIN_LENGTH characters, up to MAX_LENGTH (long passphrases welcome; the cap bounds the
cost of hashing), any characters, no composition rules, and refused when it is one of the most
common passwords (app/auth/common-passwords.txt, shipped with the app: no network), a single
character repeated, or the user's own email or name.
"""

from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 200
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


class PasswordError(ValueError):
    """The password is refused; the message says why, in the user's language."""


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lowercased)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("# ")
        )


def _folded(text: str) -> str:
    return "".join(text.split()).casefold()


def check_password(password: str, *, email: str | None = None, names: tuple = ()) -> None:
    """Refuse a password that breaks the policy.

    :param names: the user's given names, family names, sign-in name (any may be None).
    :raises PasswordError: with the reason.
    """
    if len(password) < MIN_LENGTH:
        raise PasswordError(_("The password must have at least %(n)s characters.", n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        raise PasswordError(_("The password can have at most %(n)s characters.", n=MAX_LENGTH))
    folded = _folded(password)
    if folded in common_passwords() or password.casefold() in common_passwords():
        raise PasswordError(
            _("This is one of the most common passwords, so it is easy to guess. Choose another.")
        )
    if len(set(password)) == 1:
        raise PasswordError(_("The password cannot be one character repeated."))
    personal = set()
    if email:
        personal |= {_folded(email), _folded(email.split("@")[0])}
    parts = [name for name in names if name]
    personal |= {_folded(name) for name in parts}
    if parts:
        personal.add(_folded(" ".join(parts)))
    if folded in personal - {""}:
        raise PasswordError(_("The password cannot be your email address or your name."))


def check_user_password(user, password: str) -> None:
    """check_password with the user's own email and names."""
    check_password(
        password,
        email=user.email,
        names=(user.given_name, user.family_name, user.username, user.full_name),
    )
