"""Admin pages: users (list, create, edit, deactivate, reactivate), sites (list, create,
edit) and the installation's signing keys (list, rotate)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice

from app.admin.forms import UserEditForm, UserForm
from app.admin.services import (
    create_staff_user,
    filter_users,
    set_user_active,
    update_user,
)
from app.certificates.keys import published_jwt_keys, published_keys, rotate_signing_keys
from app.common import paginate
from app.errors import on_refusal
from app.extensions import db
from app.labels import role_label
from app.permissions import admin_required
from app.sites.forms import SiteForm
from app.sites.models import Site
from app.sites.services import create_site, filter_sites, update_site
from app.users.models import Role, User

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@admin_required
def users():
    return render_template(
        "admin/users.html",
        pagination=paginate(filter_users(request.args)),
        roles=[(role.value, role_label(role)) for role in Role],
        action_form=FlaskForm(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = UserForm()
    _site_choices(form)
    on_refusal(lambda _error: render_template("admin/user_new.html", form=form))
    if form.validate_on_submit():
        user = create_staff_user(current_user, form.data)
        flash(_("%(name)s can now sign in.", name=user.full_name), "success")
        return redirect(url_for(".users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_new.html", form=form), status


def _site_choices(form) -> None:
    sites = db.session.scalars(select(Site).order_by(Site.state_code, Site.name)).all()
    form.site_id.choices = [SelectChoice(0, _("No site"))] + [
        SelectChoice(s.id, f"{s.name} ({s.state_code})") for s in sites
    ]


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = UserEditForm(obj=user, data={"role": user.role.value, "site_id": user.site_id or 0})
    _site_choices(form)
    if user.role == Role.STUDENT:
        form.role.choices = [SelectChoice("student", role_label(Role.STUDENT))]
    page = lambda _error=None: render_template("admin/user_edit.html", form=form, user=user)  # noqa: E731
    on_refusal(page)
    if form.validate_on_submit():
        update_user(user, current_user, form.data)
        flash(_("%(name)s is saved.", name=user.full_name), "success")
        return redirect(url_for(".users"))
    return page(), 400 if request.method == "POST" else 200


def _set_active(user_id: int, active: bool):
    user = db.session.get(User, user_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    on_refusal(redirect_to=url_for(".users"))
    set_user_active(user, current_user, active)
    if active:
        flash(_("%(name)s can sign in again.", name=user.full_name), "success")
    else:
        flash(_("%(name)s can no longer sign in.", name=user.full_name), "success")
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate_user(user_id: int):
    return _set_active(user_id, True)


@bp.route("/sites")
@admin_required
def sites():
    return render_template("admin/sites.html", pagination=paginate(filter_sites(request.args)))


@bp.route("/sites/new", methods=["GET", "POST"])
@admin_required
def new_site():
    form = SiteForm()
    on_refusal(lambda _error: render_template("admin/site_new.html", form=form))
    if form.validate_on_submit():
        site = create_site(current_user, form.data)
        flash(_("Site %(code)s created.", code=site.code), "success")
        return redirect(url_for(".sites"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/site_new.html", form=form), status


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_site(site_id: int):
    site = db.session.get(Site, site_id) or abort(404)
    form = SiteForm(obj=site)
    form.submit.label.text = _("Save the site")
    page = lambda _error=None: render_template("admin/site_edit.html", form=form, site=site)  # noqa: E731
    on_refusal(page)
    if form.validate_on_submit():
        update_site(site, current_user, form.data)
        flash(_("Site %(code)s is saved.", code=site.code), "success")
        return redirect(url_for(".sites"))
    return page(), 400 if request.method == "POST" else 200


@bp.route("/keys")
@admin_required
def signing_keys():
    return render_template(
        "admin/keys.html",
        keys=list(reversed(published_keys())),
        jwt_keys=list(reversed(published_jwt_keys())),
        form=FlaskForm(),
    )


@bp.route("/keys/rotate", methods=["POST"])
@admin_required
def rotate_keys():
    if not FlaskForm().validate_on_submit():
        abort(400)
    key = rotate_signing_keys(current_user)
    jwt_key = published_jwt_keys()[-1]
    flash(
        _(
            "%(name)s and %(jwt_name)s sign new credentials from now on; older keys stay published.",
            name=key.name,
            jwt_name=jwt_key.name,
        ),
        "success",
    )
    return redirect(url_for(".signing_keys"))
