"""A page kept whole once rendered and served again to whoever it was for, until a change to
the sites it shows is committed (changes.py) or the minute it was rendered in is over. Its
forms' CSRF token is left as a placeholder in the kept page and put in for each request."""

from collections.abc import Callable

from flask import Response, current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.http_cache import validator
from app.page_cache.early import keep_early
from app.page_cache.models import EVERYTHING, PageGeneration
from app.page_cache.store import (
    PLACEHOLDER,
    lock,
    page_address,
    page_store,
    size_of,
    this_minute,
    viewer_of,
    with_token,
)

_UNKEPT_HEADERS = {"Set-Cookie", "Content-Length"}
_REQUEST_CACHE = "puente.request_cache"


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


def viewer() -> tuple:
    """What a layout shows of whoever asks (their session's forms' secret aside)."""
    user = current_user
    return viewer_of(g.get("locale"), user if user.is_authenticated else None)


def kept_page(
    parts: tuple, render: Callable, early: tuple | None = None, tag: str | None = None
) -> Response:
    """The page `render()` makes, kept for the same address, viewer, minute and `parts`
    (what else it depends on). Only a plain GET's 200 is kept, and no page while a flashed
    message waits (rendering shows it once). Call it once access is checked. `early`: what
    else the page depends on when it is served before its view runs (early.py): () nothing,
    or (site ids or None for every site, their generations' sum). `tag`: what its validator
    is made of, when it has one (http_cache.private_validator): served early, it has it."""
    if (
        not current_app.config["PAGE_CACHE_BYTES"]
        or request.method != "GET"
        or "_flashes" in session
    ):
        return make_response(render())
    minute = this_minute()
    parts = (*parts, tag)  # a page with a validator is also kept by it
    key = validator("page", *page_address(), minute, *viewer(), *parts)
    store = page_store()
    with lock:
        kept = store.get(key)
    if kept is not None:
        body, headers = kept
        return Response(with_token(body), headers=headers)
    _forget_loaded()
    seen_by = viewer()  # reloaded
    key = validator("page", *page_address(), minute, *seen_by, *parts)
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    setattr(g, field, PLACEHOLDER)  # where flask_wtf's generate_csrf keeps a request's token
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
        if size_of(kept) * 8 < store.maxsize:
            with lock:
                store[key] = kept
            if early is not None:
                keep_early(store, minute, seen_by, early, tag, kept)
    response.set_data(with_token(body))
    return response


def cached_page(site_ids: list[int] | None, render: Callable, tag: str | None = None) -> Response:
    """A kept page showing the records of `site_ids` (None: of any site), until a change to
    them is committed: their generations are read before anything the page shows. `tag`: as
    for kept_page."""
    if not current_app.config["PAGE_CACHE_BYTES"] or request.method != "GET":
        return make_response(render())
    seen = generations(site_ids)
    early = (site_ids, sum(value for _site, value in seen))
    return kept_page((site_ids, seen), render, early, tag)
