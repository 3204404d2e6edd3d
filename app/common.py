"""Small helpers shared by every area: time, enum columns, pagination, public links."""

import enum
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app, has_request_context, request, url_for
from sqlalchemy import Enum, Select, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app import keyset
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
MAX_PER_PAGE = 100


def paginate(stmt: Select, per_page: int | None = None) -> "KeyPage":
    """A page of the rows (one entity each) `stmt` selects, by the request's ?page= (by
    offset), and their total counted no further than LIST_COUNT_CAP rows past the page: a
    list's page costs the same however many rows the installation holds."""
    per_page = min(per_page or current_app.config["PAGE_SIZE"], MAX_PER_PAGE)
    page = _page_number()

    def page_rows(page: int) -> list:
        offset = (page - 1) * per_page
        return list(db.session.execute(stmt.limit(per_page + 1).offset(offset)).unique().scalars())

    rows, page = _rows_or_last_page(page_rows, stmt, page, per_page)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    total, capped = _capped_total(
        page, per_page, len(rows), has_next, lambda limit: _count(stmt, limit)
    )
    return KeyPage(rows, page, per_page, total, capped, has_next)


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, MAX_PAGE))


def _rows_or_last_page(
    page_rows: Callable[[int], list], keys: Select, page: int, per_page: int
) -> tuple[list, int]:
    """(rows, page): `page_rows(page)`, or the list's last page when `page` is past its end (a
    link out of date, a number typed by hand), counted no further than that page."""
    rows = page_rows(page)
    if not rows and page > 1:
        page = max(1, math.ceil(_count(keys, (page - 1) * per_page) / per_page))
        rows = page_rows(page)
    return rows, page


def _capped_total(
    page: int, per_page: int, found: int, has_next: bool, count_to: Callable[[int], int]
) -> tuple[int, bool]:
    """(total, capped): exact when this page shows the list's end; else `count_to(limit)`
    counts up to the next multiple of LIST_COUNT_CAP past the page (and one more row, which
    says there are more)."""
    offset = (page - 1) * per_page
    if (found and not has_next) or (page == 1 and not found):
        return offset + found, False  # the list's end is on this page
    step = current_app.config["LIST_COUNT_CAP"]
    cap = step * math.ceil((offset + per_page) / step)
    counted = count_to(cap + 1)
    return min(counted, cap), counted > cap


@dataclass
class KeyPage:
    """One page of a list paged by keys; `total` is exact unless `total_capped` (then the list
    has more rows than `total`). Reads like Flask-SQLAlchemy's Pagination in templates, and
    `next_args`/`prev_args` carry the keyset cursors its links add (app/keyset.py)."""

    items: list
    page: int
    per_page: int
    total: int
    total_capped: bool
    has_next: bool
    next_args: dict = field(default_factory=dict)
    prev_args: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate_keys(
    keys: Select, load: Callable[[list], Sequence], per_page: int | None = None
) -> KeyPage:
    """Paginate in two simple queries instead of one wide one: `keys` selects one column (a
    primary key) from the list's indexed table in the list's order, `load` loads the rows of
    the page's keys in that order. The next and previous links name the row the page starts
    after (before), so any page costs what the second does (keyset paging, when the order is
    of plain NOT NULL columns; else by offset). The total is counted only when the page does
    not show the end of the list, and then only up to LIST_COUNT_CAP rows past the page: a
    page costs the same whatever the size of the installation.
    """
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = _page_number()
    columns = keyset.order_columns(keys)
    with_order, positions = keyset.with_order_values(keys, columns) if columns else (keys, [])
    rows, page, by_keyset = _page_rows(with_order, columns, positions, page, per_page)
    offset = (page - 1) * per_page
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    found = [row[0] for row in rows]

    def count_to(limit: int) -> int:
        if not by_keyset:
            return _count(keys, limit)
        # by keyset, only the rows between this page and the cap are counted (the count does
        # not grow with depth)
        seen = offset + len(found)
        past = keyset.after(keys, columns, keyset.values_of(rows[-1], positions))
        return seen + _count(past, limit - seen)

    total, capped = _capped_total(page, per_page, len(found), has_next, count_to)
    pagination = KeyPage(
        list(load(found)) if found else [], page, per_page, total, capped, has_next
    )
    # Links drop the request's cursors; a keyset list's name the page's last (first) row.
    pagination.next_args = {"after": None, "before": None}
    pagination.prev_args = {"after": None, "before": None}
    if columns and found:
        pagination.next_args["after"], pagination.prev_args["before"] = found[-1], found[0]
    return pagination


def _count(keys: Select, limit: int) -> int:
    """How many rows `keys` has, counting no further than `limit`."""
    return db.session.scalar(
        select(func.count()).select_from(keys.order_by(None).limit(limit).subquery())
    )


def _page_rows(with_order: Select, columns, positions, page: int, per_page: int):
    """(rows, page, by keyset): up to per_page + 1 rows of this page (the key first, then any
    order value not selected already), found after or before the row a link names when it is
    in the list and leaves a whole page; else by number (page 1 when going back reached the
    list's start: the page number was out of date; its last page when past its end)."""
    for direction in ("after", "before") if columns and page > 1 else ():
        key = keyset.read_key(request.args.get(direction))
        if key is None:
            continue
        named = db.session.execute(keyset.anchor(with_order, key)).first()
        if named is None:
            break  # not (or no longer) in this list
        values = keyset.values_of(named, positions)
        stmt = getattr(keyset, direction)(with_order, columns, values).limit(per_page + 1)
        rows = list(db.session.execute(stmt))
        if direction == "after" and rows:
            return rows, page, True
        if direction == "before" and len(rows) > per_page:
            return list(reversed(rows[:per_page])) + [named], page, True
        page = 1 if direction == "before" else page
        break

    def page_rows(page: int) -> list:
        return list(
            db.session.execute(with_order.limit(per_page + 1).offset((page - 1) * per_page))
        )

    rows, page = _rows_or_last_page(page_rows, with_order, page, per_page)
    return rows, page, False


def in_key_order(rows, keys: list) -> list:
    """`rows` (each with an `id`) in the order of `keys`."""
    by_key = {row.id: row for row in rows}
    return [by_key[key] for key in keys if key in by_key]


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
