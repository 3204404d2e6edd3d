"""A kept page served before its view runs, with one statement: the viewer's account row
and the sum of the generations of the sites the page shows, read together and compared
with what they were when the page was rendered. The view would check the same things the
same way (who asks, their role, site and state, the records of those sites), so while they
are unchanged it would make the same page, and its rate limits are checked as the view
would (first: a request over them learns nothing of what is kept). A page with a validator
answers 304 to a copy still good. Left to the view: a request that a limit counts even when
it finds its page, one carrying a flashed message, one over its limits, and one signing in
from a remember-me cookie."""

from contextlib import contextmanager
from functools import cache

from flask import Response, current_app, g, request, session
from sqlalchemy import Integer, Text, any_, bindparam, cast, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine

from app.extensions import db, limiter, login_manager
from app.http_cache import client_has, not_modified, private_validator, validator
from app.i18n import browser_language, choose_language
from app.page_cache.models import EVERYTHING, PageGeneration
from app.page_cache.store import lock, page_address, page_store, this_minute, viewer_of, with_token

_GENERATIONS = PageGeneration.__table__.c


def _signed_in_as() -> tuple[int, int] | None | bool:
    """(user id, session version) the session names; None: nobody; False: leave it to the
    view (a malformed id, a remember-me cookie to sign in from, a session from elsewhere)."""
    named = session.get("_user_id")
    if named is None:
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
        return False if remember in request.cookies else None
    user_id, _, version = str(named).partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return False
    if login_manager._session_protection_failed():
        return False  # Flask-Login's "strong" protection ended a session from elsewhere
    return int(user_id), int(version)


def _early_key(minute: str, signed_in: tuple | None) -> str:
    headers = request.headers
    languages = browser_language(headers.get("Accept-Language", ""))
    # What the view chooses by: who, which language, and which form (a page or its JSON).
    chosen_by = (signed_in, session.get("locale"), languages, headers.get("Accept"))
    return validator("early", *page_address(), minute, *chosen_by)


def _may_serve() -> bool:
    return (
        bool(current_app.config["PAGE_CACHE_BYTES"])
        and request.method == "GET"
        and "_flashes" not in session
        and not limiter.counts_this_request(found=True)
    )


def keep_early(
    store, minute: str, seen_by: tuple, early: tuple, tag: str | None, kept: tuple
) -> None:
    """Keep the page just rendered (`kept`: body and headers) for serving early."""
    if not _may_serve():
        return
    signed_in = _signed_in_as()
    if signed_in is False or (signed_in is None) != (seen_by[1] is None):
        return
    entry = (seen_by, early, tag, *kept)
    with lock:
        store[_early_key(minute, signed_in)] = entry


def _fingerprint(every_site: bool, dialect: str):
    """The sum of the generations of everything and of the sites named `site_ids` (or of
    every site): generations only grow, so any change to those sites makes it larger."""
    query = select(func.coalesce(func.sum(_GENERATIONS.value), 0))
    if every_site:
        return query
    if dialect == "postgresql":  # one parameter, an array's text: one SQL text for any scope
        ids = cast(bindparam("site_ids", type_=Text), ARRAY(Integer))
        return query.where(_GENERATIONS.site_id == any_(ids))
    return query.where(_GENERATIONS.site_id.in_(bindparam("site_ids", expanding=True)))


def _statements() -> dict:
    return _statements_for(db.engine.dialect.name)


@cache
def _statements_for(dialect: str) -> dict:
    """The checks, built once a worker (then only their values change). The accounts' table
    is found by name: this layer sits below the one the User model lives in."""
    account = db.metadata.tables["user_account"].c
    viewer = (
        account.id,
        account.session_version,
        account.role,
        account.given_name,
        account.family_name,
        account.unread_notifications,
        account.site_id,
        account.state_code,
        account.locale,
        account.is_active,
    )
    statements = {"account": select(*viewer).where(account.id == bindparam("user_id"))}
    for every in (False, True):
        statements["sum", every] = _fingerprint(every, dialect)
        statements["check", every] = select(
            *viewer, statements["sum", every].scalar_subquery()
        ).where(account.id == bindparam("user_id"))
    return statements


@contextmanager
def _reading():
    """A connection for the check, outside any transaction: one SELECT needs no BEGIN and
    COMMIT round trips. On PostgreSQL its driver is put in autocommit for the check and back
    (SQLAlchemy's isolation_level option would check and reset the level through the dialect
    on every use). The session's own connection where the session is bound to one (a test's,
    inside the transaction that test rolls back)."""
    bound = db.session.session_factory.kw.get("bind")
    if bound is not None and not isinstance(bound, Engine):
        yield db.session.connection()
        return
    engine = db.engine
    with engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            yield connection  # pysqlite begins no transaction for a SELECT
            return
        driver = connection.connection.driver_connection
        driver.autocommit = True
        try:
            yield connection
        finally:
            try:
                if not connection.invalidated:
                    driver.autocommit = False
            except engine.dialect.loaded_dbapi.Error:
                connection.invalidate()  # a check cut short: never pooled in autocommit


def _ids_parameter(site_ids: list[int]):
    """Everything and `site_ids`, as the check's parameter: a list, or on PostgreSQL the text
    of an array (a list of numbers costs psycopg more to send)."""
    ids = [EVERYTHING, *site_ids]
    if db.engine.dialect.name == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return ids


def _viewer_now(signed_in: tuple | None, early: tuple):
    """(the viewer as a page would see them, the generations' sum) read now; None: not
    signed in as the session says (any more)."""
    values = {}
    if early and early[0] is not None:
        values = {"site_ids": _ids_parameter(early[0])}
    if signed_in is None:
        if not early:
            return viewer_of(choose_language(None), None), None  # no query at all
        with _reading() as connection:
            total = connection.execute(_statements()["sum", early[0] is None], values).scalar_one()
        return viewer_of(choose_language(None), None), total
    user_id, version = signed_in
    query = _statements()["check", early[0] is None] if early else _statements()["account"]
    with _reading() as connection:
        row = connection.execute(query, {"user_id": user_id, **values}).first()
    if row is None or not row.is_active or row.session_version != version:
        return None
    return viewer_of(choose_language(row.locale), row), (row[-1] if early else None)


def serve_early() -> Response | None:
    """The before_request hook: the kept page, if everything it showed is as it was."""
    if not _may_serve():
        return None
    signed_in = _signed_in_as()
    if signed_in is False:
        return None
    if limiter.counts_this_request() and not limiter.within_view_limits():
        return None  # counting only misses, its limit still stops a guesser: in the view
    store = page_store()
    with lock:
        entry = store.get(_early_key(this_minute(), signed_in))
    if entry is None:
        return None
    seen_by, early, tag, body, headers = entry
    now = _viewer_now(signed_in, early)
    if now is None or now != (seen_by, early[1] if early else None):
        return None
    g.locale = seen_by[0]
    if tag is None:
        return Response(with_token(body), headers=headers)
    etag = private_validator(tag, seen_by)  # weak: its bytes differ by their CSRF token
    if client_has(etag):
        caching = next((value for name, value in headers if name == "Cache-Control"), "no-cache")
        return not_modified(etag, caching, weak=True)
    response = Response(with_token(body), headers=headers)
    response.set_etag(etag, weak=True)
    return response
