"""Sign-in, sign-out, forgotten passwords, one-time codes and the language switch."""

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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from app.auth.forms import CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from app.auth.mail import MailError, send_sign_in_mail
from app.auth.models import TokenPurpose
from app.auth.passwords import PasswordError
from app.auth.services import authenticate_user, request_password_reset, sign_out
from app.auth.tokens import TokenError, find_token, normalize_code, redeem_token
from app.extensions import db, limiter
from app.page_cache.pages import kept_page

bp = Blueprint("auth", __name__)


def _account_and_address_key() -> str:
    # Failed tries are counted per account *and* address: guessing is slowed, but a stranger
    # elsewhere cannot lock the real user out of their account.
    account = (request.form.get("email") or "").strip().lower()
    return f"login:{account}:{get_remote_address()}"


def _failed(response) -> bool:
    return response.status_code == 401


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
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    key_func=_account_and_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    if request.method == "GET":
        return kept_page((), lambda: render_template("auth/login.html", form=LoginForm()), ())
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate_user(form.email.data, form.password.data)
        if user is None:
            flash(_("Email, sign-in name or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user, remember=form.remember.data)
        if user.locale:
            session.pop("locale", None)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sign_out(current_user._get_current_object())
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["FORGOT_PASSWORD_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = request_password_reset(form.email.data)
        if found is not None:
            user, code = found
            minutes = current_app.config["PASSWORD_RESET_MINUTES"]
            try:
                send_sign_in_mail(user, code, TokenPurpose.RESET, minutes / 60)
            except MailError:
                db.session.rollback()  # no code without its mail; the answer stays the same
        message = _(
            "If an account uses this email, we have sent it a link to choose a new password. "
            "Check your mail; the link works for %(minutes)s minutes.",
            minutes=current_app.config["PASSWORD_RESET_MINUTES"],
        )
        flash(message, "info")
        return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TOKEN_RATE_LIMIT"], methods=["POST"])
def enter_code():
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            find_token(form.code.data)
        except TokenError as error:
            form.code.errors.append(str(error))
            status = error.status
        else:
            return redirect(
                url_for("auth.set_password", sign_in_code=normalize_code(form.code.data))
            )
    elif request.method == "POST":
        status = 400
    return render_template("auth/code.html", form=form), status


@bp.route("/password/set/<sign_in_code>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TOKEN_RATE_LIMIT"])
def set_password(sign_in_code: str):
    try:
        token = find_token(sign_in_code)
    except TokenError as error:
        return _no_referrer(
            render_template("auth/token_error.html", message=str(error))
        ), error.status
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = redeem_token(token, form.password.data)
        except PasswordError as error:
            form.password.errors.append(str(error))
            status = 400
        except TokenError as error:
            return render_template("auth/token_error.html", message=str(error)), error.status
        else:
            login_user(user)
            flash(_("Your password is saved. You are signed in."), "success")
            return redirect(url_for("main.index"))
    elif request.method == "POST":
        status = 400
    page = render_template(
        "auth/set_password.html", form=form, user=token.user, purpose=token.purpose
    )
    return _no_referrer(page), status


def _no_referrer(html: str):
    """The code is in this page's address: never send it on in a Referer header."""
    response = current_app.make_response(html)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


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
