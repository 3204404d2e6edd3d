"""Error pages in the user's language; JSON for the API."""

from flask import Flask, current_app, g, jsonify, make_response, render_template, request, session
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        403: _("You do not have access to this page."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        409: _("That change conflicts with the current state of the record."),
        413: _("The upload is too large."),
        422: _("Some of what you entered is not valid."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Nothing was saved."),
    }


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best_match(["application/json", "text/html"]) == "application/json"
    )


def render_error(code: int, detail: str | None = None):
    message = detail or _messages().get(code, _messages()[500])
    if wants_json():
        return jsonify(code=code, message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def register(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def handle_csrf(error: CSRFError):
        # Most often a session that ended (signed out elsewhere, expired) under an open page.
        message = _(
            "Your session has ended or this page is too old. Sign in again and repeat what you "
            "did; answers kept on this phone are sent once you are signed in."
        )
        if wants_json() or request.is_json:
            return jsonify(code=400, message=message, reason="session"), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException):
        detail = error.description if getattr(error, "puente_message", False) else None
        response = make_response(render_error(error.code or 500, detail))
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500)


# --- the transaction-and-error contract -------------------------------------------------------
#
# Services (or views) raise a DomainError with a translated message; the handler below rolls the
# request's transaction back and shows the message — on the page the view named with
# `on_refusal`, else on the error page — with the error's status. A lost race (a unique index or
# a stale version caught by the database) becomes a ConflictError the same way.


class DomainError(Exception):
    """An action is refused; `message` (translated) says why, `status` is the HTTP answer."""

    status = 422

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class ConflictError(DomainError):
    """The record changed under the action (a concurrent request won); nothing was saved."""

    status = 409


def on_refusal(render=None, *, redirect_to: str | None = None, conflict: str | None = None):
    """Say how this request shows a refused action: `render(error)` returns the page (its
    status is the error's), or `redirect_to` is where the message is flashed; `conflict` is
    the message for a lost race, if more specific than the general one."""
    from flask import g

    g.refusal_page, g.refusal_redirect, g.refusal_conflict = render, redirect_to, conflict


def _conflict_message() -> str:
    from flask import g

    if g.get("refusal_conflict"):
        return g.refusal_conflict
    return _(
        "Someone else changed this record at the same moment, so nothing of yours was saved. "
        "Look at it again and repeat your change if it is still needed."
    )


def _is_lost_race(error: Exception) -> bool:
    """A database refusal that means another transaction won: unique index, stale version,
    lock wait (SQLite's writer lock, PostgreSQL's deadlock or serialization failure)."""
    from sqlalchemy.exc import IntegrityError, OperationalError
    from sqlalchemy.orm.exc import StaleDataError

    if isinstance(error, IntegrityError | StaleDataError):
        return True
    if isinstance(error, OperationalError):
        text = str(error.orig).lower()
        return any(
            word in text for word in ("database is locked", "deadlock", "could not serialize")
        )
    return False


def _refusal_wants_json() -> bool:
    """The API, a JSON post (autosave), or a client that prefers JSON over a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return request.path.startswith("/api/") or request.is_json or best == "application/json"


def refusal_response(error: DomainError):
    """Roll back, then show `error` as the view asked (page, redirect) or on the error page."""
    from flask import flash, g, redirect

    from app.extensions import db

    db.session.rollback()
    if _refusal_wants_json():
        return jsonify(error=error.message, code=error.status), error.status
    flash(error.message, "error")
    render = g.pop("refusal_page", None)
    target = g.pop("refusal_redirect", None)
    if render is not None:
        body = render(error)
        body = body[0] if isinstance(body, tuple) else body
        return body, error.status
    if target:
        return redirect(target, 303)
    return render_template("errors/error.html", code=error.status, message=error.message), (
        error.status
    )


def commit_or_refuse(response):
    """The one commit point (after a request below 400); a lost race at commit becomes a 409."""
    from flask import session

    from app.extensions import db

    if not db.session().in_transaction():
        return response  # the request neither read nor wrote: nothing to end
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception as error:
        if not _is_lost_race(error):
            raise
        session.pop("_flashes", None)  # the view's "saved" did not happen
        return refusal_response(ConflictError(_conflict_message()))
    return response


def register_domain_errors(app: Flask) -> None:
    """Refusals and lost races: a message and a 4xx, the transaction rolled back, never a 500."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        return refusal_response(error)

    def handle_database_error(error: Exception):
        if not _is_lost_race(error):
            app.logger.exception("Database error")
            from app.extensions import db

            db.session.rollback()
            return render_error(500)
        app.logger.info("Lost race: %s", error)
        return refusal_response(ConflictError(_conflict_message()))

    for error_class in (IntegrityError, StaleDataError):
        app.register_error_handler(error_class, handle_database_error)
    register_database_faults(app)


def _request_language() -> str:
    """The user's language without the database: the session's choice, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or "en"


def register_database_faults(app: Flask) -> None:
    """A database that is down or overloaded: 503 in the user's language (JSON for the API);
    a value no column can hold (a number out of range, say): 400."""

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeoutError)
    def handle_database_down(error: Exception):
        app.logger.error("Database unavailable: %s", error.__class__.__name__)
        language = _request_language()
        # Anonymous for the rest of the request: Flask-Login would ask the database again.
        g._login_user = current_app.login_manager.anonymous_user()
        with force_locale(language):
            message = _(
                "The database is not answering, so nothing could be shown or saved. "
                "Please try again in a few minutes."
            )
            if wants_json():
                response = jsonify(code=503, message=message)
            else:
                # A page of its own: the usual layout would ask the database for the user.
                response = make_response(
                    render_template("errors/unavailable.html", message=message, lang=language)
                )
        response.status_code = 503
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(DataError)
    def handle_out_of_range(error: DataError):
        app.logger.warning("Refused a value the database cannot hold: %s", error.orig)
        return render_error(400, _("A value you sent is out of range or not valid here."))
