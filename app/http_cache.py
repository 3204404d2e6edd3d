"""Conditional GETs: validators made from what a representation is built of, answered 304."""

import hashlib

from flask import Response, current_app, request, session
from flask_wtf.csrf import generate_csrf

from config import BASE_DIR

# What a page is made of besides its data: the code, templates, translations and static files
# of this build. Two app nodes running the same build name the same validators.
_BUILD_PARTS = (
    (BASE_DIR / "app", ("*.py", "*.mo", "*.toml", "*.js", "*.css")),
    (BASE_DIR / "templates", ("*.html", "*.xml", "*.txt")),
)
_build: str | None = None


def build_revision() -> str:
    """A digest of this build's code, templates, translations and static files (once a process)."""
    global _build
    if _build is None:
        digest = hashlib.sha256()
        for folder, patterns in _BUILD_PARTS:
            files = sorted({path for pattern in patterns for path in folder.rglob(pattern)})
            for path in files:
                digest.update(str(path.relative_to(BASE_DIR)).encode())
                digest.update(path.read_bytes())
        _build = digest.hexdigest()[:16]
    return _build


def validator(*parts) -> str:
    """An opaque tag for a representation made of `parts` (each str()-able) in this build."""
    digest = hashlib.sha256(build_revision().encode())
    for part in parts:
        digest.update(b"\x1f" + str(part).encode())
    return digest.hexdigest()[:32]


def private_validator(tag: str, viewer: tuple) -> str:
    """The validator of a page tagged `tag` as `viewer` sees it (what its layout shows of
    them: page_cache.store.viewer_of) in this session: its forms carry a token made from the
    session's CSRF secret, and its language switch returns to the address."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in session:
        generate_csrf()  # as the page will: the secret exists from the first visit on
    return validator(tag, viewer, session.get(field), request.full_path)


def client_has(etag: str) -> bool:
    """If-None-Match names `etag` (compared weakly, as RFC 9110 has it for a GET)."""
    return request.if_none_match.contains_weak(etag)


def page_is_fresh(etag: str) -> bool:
    """The client's copy of a page tagged `etag` is the page it would get now; never while a
    flashed message waits to be shown."""
    return "_flashes" not in session and client_has(etag)


def not_modified(etag: str, cache_control: str, weak: bool = False) -> Response:
    """A 304 with the validator and caching headers the full answer carries."""
    return tagged(Response(status=304), etag, cache_control, weak)


def tagged(response: Response, etag: str, cache_control: str, weak: bool = False) -> Response:
    """`response` with its validator and `cache_control` (kept by app.security)."""
    response.set_etag(etag, weak=weak)
    response.headers["Cache-Control"] = cache_control
    return response
