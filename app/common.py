"""Small helpers shared by every area: time, enum columns, pagination."""

import enum
from datetime import UTC, datetime

from flask import current_app, request
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


def paginate(stmt: Select, per_page: int | None = None):
    """Paginate a select from the request's ?page= argument (no count beyond need)."""
    return db.paginate(
        stmt,
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=100,
        error_out=False,
        page=request.args.get("page", 1, type=int),
    )


def to_int(value) -> int | None:
    """A filter argument as an int, or None when it is missing or not a number."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
