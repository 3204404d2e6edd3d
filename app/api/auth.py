"""Bearer-token authentication, per-token rate limiting and JSON errors for API blueprints."""

import http

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort
from werkzeug.exceptions import HTTPException

from app.extensions import csrf, limiter
from app.users.models import ApiToken, User
from app.users.services import find_user_by_token

BEARER_SCHEME = "bearerAuth"
DEFAULT_RATE_LIMIT = "600 per minute"
PAGINATION_HEADER = "X-Pagination"
# The header holds JSON text, so it is documented as the string it is (flask-smorest's default
# declares an object, which a header cannot be in the "simple" style).
PAGINATION_HEADER_DOC = {
    "description": 'Pagination as JSON: {"total", "total_pages", "first_page", "last_page", '
    '"page", "previous_page", "next_page"}.',
    "schema": {"type": "string"},
}


def presented_token() -> str | None:
    """The token from `Authorization: Bearer <token>`, or None."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def rate_limit_key() -> str:
    """Count requests per token (by its digest, never the token); without one, per address."""
    token = presented_token()
    if token:
        return f"token:{ApiToken.digest(token)}"
    return f"addr:{request.remote_addr or 'unknown'}"


def rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)


def authenticate() -> None:
    """Before every API request: the token's user, or 401. The session cookie is never used."""
    token = presented_token()
    if token is None:
        abort(401, message=_("Send an API token in the header Authorization: Bearer <token>."))
    user = find_user_by_token(token)
    if user is None:
        abort(
            401,
            message=_("The API token is not valid or has been revoked."),
            headers={"WWW-Authenticate": 'Bearer realm="puente", error="invalid_token"'},
        )
    g.api_user = user


def api_user() -> User:
    """The user whose token authenticated this request."""
    return g.api_user


def _default_message(code: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("An API token is required."),
        403: _("This token does not give access to that record."),
        404: _("Not found."),
        405: _("That method is not allowed here."),
        422: _("Some of the parameters are not valid."),
        429: _("Too many requests for this token. Please wait a moment and try again."),
    }
    return messages.get(code, _("Something went wrong on our side."))


def json_error(error: HTTPException):
    """Every error of an API blueprint as JSON: code, status, message and field errors."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    payload = {
        "code": code,
        "status": error.name,
        "message": data.get("message")
        or (error.description if getattr(error, "puente_message", False) else None)
        or _default_message(code),
    }
    errors = data.get("errors") or data.get("messages")
    if errors:
        payload["errors"] = errors
    response = jsonify(payload)
    response.status_code = code
    response.headers.update(data.get("headers") or {})
    if code == 405:
        response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ["GET"])
    if code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="puente"')
    return response


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose every route needs a bearer token, rate limited per token,
    exempt from CSRF (no cookie is ever trusted) and documented with the bearer scheme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_request(authenticate)
        self.register_error_handler(HTTPException, json_error)
        self._prepare_doc_cbks.append(self._prepare_security_doc)
        csrf.exempt(self)
        # One shared bucket per token across every API blueprint.
        limiter.shared_limit(rate_limit, scope="api", key_func=rate_limit_key)(self)

    @staticmethod
    def _prepare_security_doc(doc, doc_info, **kwargs):
        doc["security"] = [{BEARER_SCHEME: []}]
        responses = doc.setdefault("responses", {})
        for status in (http.HTTPStatus.UNAUTHORIZED, http.HTTPStatus.TOO_MANY_REQUESTS):
            responses.setdefault(status.value, status.name)
        for response in responses.values():
            headers = response.get("headers", {}) if isinstance(response, dict) else {}
            if PAGINATION_HEADER in headers:
                headers[PAGINATION_HEADER] = PAGINATION_HEADER_DOC
        return doc


def document_security(spec) -> None:
    """Declare the bearer scheme in the OpenAPI components (once per app's spec)."""
    if BEARER_SCHEME not in spec.components.security_schemes:
        spec.components.security_scheme(
            BEARER_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token from the profile page or `flask users token EMAIL`.",
            },
        )
