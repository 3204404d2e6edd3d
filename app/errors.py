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
