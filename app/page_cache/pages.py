"""A page kept whole for the one who saw it and served again to them, until a change to the
sites it shows is committed (changes.py) or the minute it was rendered in is over."""

from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock

from cachetools import TTLCache
from flask import Response, current_app, make_response, request, session
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.http_cache import validator, viewer_parts
from app.page_cache.models import EVERYTHING, PageGeneration

KEEP_SECONDS = 60  # pages show times to the minute ("waiting 3 hours"), never older than that
_lock = Lock()


def generations(site_ids: list[int] | None) -> tuple:
    """(site id, generation) of everything and of `site_ids` (None: of every site)."""
    table = PageGeneration.__table__
    query = select(table.c.site_id, table.c.value).order_by(table.c.site_id)
    if site_ids is not None:
        query = query.where(table.c.site_id.in_([EVERYTHING, *site_ids]))
    return tuple(db.session.execute(query).all())


def _store() -> TTLCache:
    app = current_app
    store = app.extensions.get("puente_pages")
    if store is None:
        store = app.extensions["puente_pages"] = TTLCache(
            maxsize=app.config["PAGE_CACHE_BYTES"], ttl=KEEP_SECONDS, getsizeof=_size
        )
    return store


def _size(kept: tuple) -> int:
    return len(kept[0]) + 200


def page_key(site_ids: list[int] | None) -> str:
    """Who asks for which address in what language, with which forms' secret, seeing which
    sites at which generation, in which minute (read first: a change committed while the page
    renders makes a newer generation, never a stale page under the current one)."""
    scope = (current_user.site_id, current_user.state_code, current_user.family_name)
    minute = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    return validator(
        "page", request.url, minute, scope, site_ids, generations(site_ids), *viewer_parts()
    )


def cached_page(site_ids: list[int] | None, render: Callable) -> Response:
    """The page `render()` makes, showing the records of `site_ids` (None: any site's), kept
    for the viewer: call it once access is checked. Only a plain GET's 200 is kept, and no
    page while a flashed message waits (rendering shows it once)."""
    if (
        not current_app.config["PAGE_CACHE_BYTES"]
        or request.method != "GET"
        or "_flashes" in session
    ):
        return make_response(render())
    key = page_key(site_ids)
    store = _store()
    with _lock:
        kept = store.get(key)
    if kept is not None:
        body, headers = kept
        return Response(body, headers=headers)
    response = make_response(render())
    if response.status_code == 200 and not response.is_streamed and "_flashes" not in session:
        headers = [(name, value) for name, value in response.headers if name != "Set-Cookie"]
        kept = (response.get_data(), headers)
        if _size(kept) * 8 < store.maxsize:
            with _lock:
                store[key] = kept
    return response
