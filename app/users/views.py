"""Profile: language preference, password and API tokens."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from app.auth.forms import ChangePasswordForm
from app.auth.passwords import PasswordError
from app.auth.services import change_password
from app.extensions import db
from app.users.forms import PreferencesForm, TokenForm
from app.users.models import ApiToken
from app.users.services import create_api_token, revoke_api_token

bp = Blueprint("users", __name__, url_prefix="/profile")


def _render(new_token: str | None = None, password_form=None, status: int = 200):
    tokens = db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "users/profile.html",
        preferences=PreferencesForm(locale=current_user.locale or "en"),
        token_form=TokenForm(),
        tokens=tokens,
        new_token=new_token,
        revoke_form=FlaskForm(),
        password_form=password_form or ChangePasswordForm(),
    ), status


@bp.route("/")
@login_required
def profile():
    return _render()


@bp.route("/preferences", methods=["POST"])
@login_required
def save_preferences():
    form = PreferencesForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        flash(_("Your preferences are saved."), "success")
    return redirect(url_for("users.profile"))


@bp.route("/password", methods=["POST"])
@login_required
def change_own_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _render(password_form=form, status=400)
    user = current_user._get_current_object()
    try:
        change_password(user, form.current.data, form.password.data)
    except PasswordError as error:
        form.password.errors.append(str(error))
        return _render(password_form=form, status=400)
    # Every other session ended; this one carries on with the new session version.
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=remember_cookie in request.cookies)
    flash(_("Your password is changed. You were signed out everywhere else."), "success")
    return redirect(url_for("users.profile"))


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Give the token a name."), "error")
        return redirect(url_for("users.profile"))
    _token, secret = create_api_token(current_user, form.name.data)
    return _render(new_token=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id) or abort(404)
    if token.user_id != current_user.id:
        abort(404)
    if FlaskForm().validate_on_submit():
        revoke_api_token(token)
        flash(_("The token is revoked."), "success")
    return redirect(url_for("users.profile"))
