"""Web hardening in one place: bounded ids, NUL bytes refused, proxies, security headers."""

import re

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER: every id column

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script or event handler: they live in app/static/*.js
        "style-src 'self' 'unsafe-inline'",  # style="" attributes and the certificate previews
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS_VALUE = "max-age=31536000; includeSubDomains"


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: 0 to 2^31-1, so a larger id is simply a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def bounded_int(value) -> int:
    """int(value), refusing what no id, page or count column can hold (ValueError)."""
    number = int(value)
    if not -MAX_ID <= number <= MAX_ID:
        raise ValueError("out of range")
    return number


class BoundedMultiDict(ImmutableMultiDict):
    """Query and form arguments whose `get(..., type=int)` treats out-of-range as not a number."""

    def get(self, key, default=None, type=None):
        return super().get(key, default, bounded_int if type is int else type)

    def getlist(self, key, type=None):
        return super().getlist(key, bounded_int if type is int else type)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with nesting too deep for the parser, or a NUL character, reported as bad
    JSON (a 400)."""

    def loads(self, s, **kwargs):
        if (b"\\u0000" if isinstance(s, bytes) else "\\u0000") in s:
            raise ValueError("JSON with a NUL character")  # no column may hold one
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


class CompressedETags:
    """WSGI middleware: Flask-Compress names a compressed body's ETag `"<tag>:br"` (or `:gzip`),
    and a client sends that name back in If-None-Match, which no view's ETag (nor send_file's)
    would ever match; the suffix is taken off before the app reads the header, so a cached copy
    is answered 304 however it was compressed."""

    SUFFIX = re.compile(r':(?:br|gzip|deflate|zstd)"')

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match:
            environ["HTTP_IF_NONE_MATCH"] = self.SUFFIX.sub('"', if_none_match)
        return self.wsgi_app(environ, start_response)


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per set of keys:
    Flask builds a new one twice a request (to read the cookie, then to write it)."""

    def __init__(self):
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None and app.secret_key:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer


class PuenteRequest(Request):
    parameter_storage_class = BoundedMultiDict


def refuse(message: str, code: int = 400):
    """Abort with `message` shown to the user as it is (already translated)."""
    error = BadRequest(message)
    error.code = code
    error.puente_message = True
    raise error


def refuse_nul_bytes() -> None:
    """400 for a NUL character in the path, the query string or a form field (never stored)."""
    if (
        "\x00" in request.path
        or b"%00" in request.query_string
        or b"\x00" in request.query_string
        or (
            request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
            and any("\x00" in value for value in request.form.values())
        )
    ):
        refuse(_("The request contains a NUL character, which is not allowed."))


# Public documents with no student in them, which set their own Cache-Control; and a
# certificate's addresses, which set theirs from what they hold (app/certificates/views.py).
CACHEABLE_ENDPOINTS = {
    "static",
    "verify.status_list",
    "verify.certificate",
    "verify.credential_public",
    "verify.credential_jwt_public",
    "certificates.pdf",
    "certificates.credential",
    "certificates.credential_jwt",
}
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


def security_headers(app: Flask):
    """The after_request hook for `app`: every response gets CSP, no framing, no sniffing, a
    strict referrer (unless the view set its own); records are never cached."""
    defaults = SECURITY_HEADERS + (
        (("Strict-Transport-Security", HSTS_VALUE),) * bool(app.config.get("HSTS"))
    )

    def add_security_headers(response):
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        for name, value in defaults:
            if name.lower() not in present:
                headers.add(name, value)
        if request.endpoint not in CACHEABLE_ENDPOINTS or "cache-control" not in present:
            # Pages, downloads and API answers hold students' records: no browser or proxy
            # keeps them.
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response

    return add_security_headers


def warn_unsafe_settings(app: Flask) -> None:
    """Log loudly at start what production must not run with."""
    if not app.config.get("PRODUCTION"):
        return
    if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        app.logger.warning(
            "RATELIMIT_STORAGE_URI is memory://: every worker process counts sign-in and API "
            "attempts on its own, so the limits multiply by the number of workers. Set "
            "RATELIMIT_STORAGE_URI=redis://HOST:6379/N (see README, Production)."
        )
    if app.config["PUBLIC_BASE_URL"].startswith("http://"):
        app.logger.warning("PUBLIC_BASE_URL is not https: verification links will be plain HTTP.")


def register(app: Flask) -> None:
    """Install what must precede every blueprint's routes: the id converter, the request class,
    the session cookies, the proxy fix; then warn about unsafe production settings."""
    app.url_map.converters["int"] = IdConverter
    app.request_class = PuenteRequest
    app.session_interface = SignedCookieSessions()
    app.json = BoundedJSONProvider(app)
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    warn_unsafe_settings(app)


def register_hooks(app: Flask) -> None:
    """The request checks, after the locale is chosen (so refusals speak the user's language)."""
    app.before_request(refuse_nul_bytes)
    app.after_request(security_headers(app))
