"""Small helpers shared by every area: time, enum columns, pagination, public links."""

import enum
from datetime import UTC, datetime

from flask import current_app, has_request_context, request, url_for
from sqlalchemy import Enum, Select
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


def utcnow() -> datetime:
    """Naive UTC now: every timestamp is stored as naive UTC on every database."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls: type[enum.Enum], **kwargs) -> Mapped:
    """A VARCHAR column holding an enum's values (portable, no native DB enum)."""
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            length=24,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kwargs,
    )


MAX_PAGE = 1_000_000  # a larger ?page= shows the (empty) last page, never an offset overflow


def paginate(stmt: Select, per_page: int | None = None):
    """Paginate a select from the request's ?page= argument (no count beyond need)."""
    return db.paginate(
        stmt,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
        page=min(request.args.get("page", 1, type=int) or 1, MAX_PAGE),
    )


MAX_INT = 2**31 - 1  # PostgreSQL INTEGER, every id column


def to_int(value) -> int | None:
    """A filter argument as an int, or None when missing, not a number or beyond any id."""
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return number if number is None or -MAX_INT <= number <= MAX_INT else None


def public_url(endpoint: str, **values) -> str:
    """An absolute link built on PUBLIC_BASE_URL, never on the request's Host header."""
    path = url_for(endpoint, **values)
    if has_request_context() and request.script_root:
        path = path.removeprefix(request.script_root)
    return current_app.config["PUBLIC_BASE_URL"] + path
