"""A page kept whole once rendered and served again to whoever it was for, until a change to
the sites it shows is committed (changes.py) or the minute it was rendered in is over. Its
forms' CSRF token is left as a placeholder in the kept page and put in for each request."""

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from threading import Lock

from cachetools import TTLCache
from flask import Response, current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app.extensions import db
from app.http_cache import validator
from app.page_cache.models import EVERYTHING, PageGeneration

KEEP_SECONDS = 60  # pages show times to the minute ("waiting 3 hours"), never older than that
# Hex only: HTML, JSON and URL escaping leave it as it is, wherever a template puts the token.
_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
_UNKEPT_HEADERS = {"Set-Cookie", "Content-Length"}
_REQUEST_CACHE = "puente.request_cache"
_lock = Lock()


def generations(site_ids: list[int] | None) -> tuple:
    """(site id, generation) of everything and of `site_ids` (None: of every site)."""
    table = PageGeneration.__table__
    query = select(table.c.site_id, table.c.value).order_by(table.c.site_id)
    if site_ids is not None:
        query = query.where(table.c.site_id.in_([EVERYTHING, *site_ids]))
    return tuple(db.session.execute(query).all())


def request_cache(name: str) -> dict:
    """A dict this request keeps what it loaded in (a new one outside a request). It is the
    environ's, where `g` may outlive a request (an app context pushed around several), and a
    kept page's miss empties it with the session: what it holds was loaded too early."""
    if not has_request_context():
        return {}
    return request.environ.setdefault(_REQUEST_CACHE, {}).setdefault(name, {})


def _forget_loaded() -> None:
    """What was loaded to check access came before the generations were read: load it again."""
    db.session.expire_all()
    request.environ.pop(_REQUEST_CACHE, None)


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


def _viewer() -> tuple:
    """What a layout shows of whoever asks (their session's forms' secret aside)."""
    user = current_user
    if not user.is_authenticated:
        return (g.get("locale"), None)
    return (
        g.get("locale"),
        user.id,
        user.session_version,
        user.role,
        user.given_name,
        user.family_name,
        user.unread_notifications,
        user.site_id,
        user.state_code,
    )


def _with_token(body: bytes) -> bytes:
    """`body` with this session's own token (made anew: `g` may outlive a request in tests)."""
    if _PLACEHOLDER.encode() not in body:
        return body
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    return body.replace(_PLACEHOLDER.encode(), generate_csrf().encode())


def kept_page(parts: tuple, render: Callable) -> Response:
    """The page `render()` makes, kept for the same address, viewer, minute and `parts`
    (what else it depends on). Only a plain GET's 200 is kept, and no page while a flashed
    message waits (rendering shows it once). Call it once access is checked."""
    if (
        not current_app.config["PAGE_CACHE_BYTES"]
        or request.method != "GET"
        or "_flashes" in session
    ):
        return make_response(render())
    minute = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    key = validator("page", request.url, minute, *_viewer(), *parts)
    store = _store()
    with _lock:
        kept = store.get(key)
    if kept is not None:
        body, headers = kept
        return Response(_with_token(body), headers=headers)
    _forget_loaded()
    key = validator("page", request.url, minute, *_viewer(), *parts)  # the viewer, reloaded
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, _PLACEHOLDER)  # where flask_wtf's generate_csrf keeps a request's token
    try:
        response = make_response(render())
    finally:
        g.pop(field, None)
    if response.is_streamed:
        return response
    body = response.get_data()
    if response.status_code == 200 and "_flashes" not in session:
        headers = [(name, value) for name, value in response.headers if name not in _UNKEPT_HEADERS]
        kept = (body, headers)
        if _size(kept) * 8 < store.maxsize:
            with _lock:
                store[key] = kept
    response.set_data(_with_token(body))
    return response


def cached_page(site_ids: list[int] | None, render: Callable) -> Response:
    """A kept page showing the records of `site_ids` (None: of any site), until a change to
    them is committed: their generations are read before anything the page shows."""
    if not current_app.config["PAGE_CACHE_BYTES"] or request.method != "GET":
        return make_response(render())
    return kept_page((site_ids, generations(site_ids)), render)
