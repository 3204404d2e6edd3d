"""Where kept pages live (each worker's memory, for a minute) and what both ways of serving
one share: who a page was for, and the CSRF token each view puts in."""

import secrets
from datetime import UTC, datetime
from threading import Lock

from cachetools import TTLCache
from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

KEEP_SECONDS = 60  # pages show times to the minute ("waiting 3 hours"), never older than that
# Hex only: HTML, JSON and URL escaping leave it as it is, wherever a template puts the token.
PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
lock = Lock()
_TOKENS: TTLCache = TTLCache(maxsize=8192, ttl=KEEP_SECONDS)


def this_minute() -> str:
    """A kept page is for the minute it was rendered in."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")


def page_address() -> tuple:
    """The address asked for, as it came (scheme, host, mount point, path, query): cheaper
    than rebuilding `request.url` from it, and never the same for two different pages."""
    environ = request.environ
    return (
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        environ.get("SCRIPT_NAME"),
        environ.get("PATH_INFO"),
        environ.get("QUERY_STRING"),
    )


def page_store() -> TTLCache:
    app = current_app
    store = app.extensions.get("puente_pages")
    if store is None:
        store = app.extensions["puente_pages"] = TTLCache(
            maxsize=app.config["PAGE_CACHE_BYTES"], ttl=KEEP_SECONDS, getsizeof=size_of
        )
    return store


def size_of(kept: tuple) -> int:
    """About what a kept entry holds: its page (the first bytes in it) and the rest."""
    body = next(part for part in kept if isinstance(part, bytes))
    return len(body) + 200


def viewer_of(locale: str | None, user) -> tuple:
    """What a layout shows of a `user` (a User, a row of its columns, or None: nobody signed
    in) reading in `locale`, their session's forms' secret aside."""
    if user is None:
        return (locale, None)
    return (
        locale,
        user.id,
        user.session_version,
        user.role,
        user.given_name,
        user.family_name,
        user.unread_notifications,
        user.site_id,
        user.state_code,
    )


def with_token(body: bytes) -> bytes:
    """`body` with this session's own token."""
    if PLACEHOLDER.encode() not in body:
        return body
    return body.replace(PLACEHOLDER.encode(), _session_token().encode())


def _session_token() -> str:
    """A CSRF token for this session's secret, as Flask-WTF makes it; one made in the last
    minute is as good (it carries when it was made, and lasts WTF_CSRF_TIME_LIMIT from then),
    so it is reused rather than signed again on every view."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    signer = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    secret = session.get(field)
    with lock:
        token = _TOKENS.get((signer, secret)) if secret else None
    if token is None:
        g.pop(field, None)  # made anew: `g` may outlive a request in tests
        token = generate_csrf()
        with lock:
            _TOKENS[(signer, session[field])] = token
    return token
