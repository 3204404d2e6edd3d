"""Authentication rules."""

from sqlalchemy import func, select

from app.extensions import db
from app.users.models import User


def authenticate_user(email: str, password: str) -> User | None:
    """Return the active user with this email and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user
