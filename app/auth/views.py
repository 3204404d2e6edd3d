"""Sign-in, sign-out and language views."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from app.auth.forms import LoginForm
from app.auth.services import authenticate_user
from app.extensions import limiter

bp = Blueprint("auth", __name__)


def _email_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
@limiter.limit("5 per minute", key_func=_email_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate_user(form.email.data, form.password.data)
        if user is None:
            flash(_("Email or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        if user.locale:
            session.pop("locale", None)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    form = FlaskForm()
    code = request.form.get("locale")
    if not form.validate() or code not in current_app.config["LANGUAGES"]:
        return redirect(url_for("main.index"))
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
    return redirect(_safe_next(request.form.get("next")))
