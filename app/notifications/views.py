"""The notifications page (newest first, paginated), mark read, and the preferences page."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.common import paginate
from app.extensions import db
from app.notifications.events import events_for, message
from app.notifications.forms import MarkForm, preferences_form
from app.notifications.models import Delivery, Event, Notification
from app.notifications.services import (
    mark_all_read,
    mark_read,
    notifications_of,
    preferences_of,
    save_preferences,
)

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _own_or_404(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


def _link(notification: Notification) -> str | None:
    if not notification.endpoint:
        return None
    return url_for(notification.endpoint, **(notification.endpoint_values or {}))


@bp.route("/")
@login_required
def index():
    pagination = paginate(notifications_of(current_user))
    locale = getattr(g, "locale", "en")
    rows = [(n, message(n.event, n.params, locale), _link(n)) for n in pagination.items]
    return render_template(
        "notifications/index.html", rows=rows, pagination=pagination, form=MarkForm()
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int):
    notification = _own_or_404(notification_id)
    if not MarkForm().validate_on_submit():
        abort(400)
    mark_read(current_user, notification)
    if request.form.get("open") and notification.endpoint:
        return redirect(_link(notification), 303)
    return redirect(url_for(".index", page=request.args.get("page", 1, type=int)), 303)


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    if not MarkForm().validate_on_submit():
        abort(400)
    count = mark_all_read(current_user)
    flash(_("%(count)s notifications marked as read.", count=count), "success")
    return redirect(url_for(".index"), 303)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    events = events_for(current_user.role)
    form = preferences_form(events, preferences_of(current_user), request.form or None)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("notifications/preferences.html", form=form, events=events), 400
        choices = {Event(e): Delivery(getattr(form, e.value).data) for e in events}
        save_preferences(current_user, choices)
        flash(_("Your choices are saved."), "success")
        return redirect(url_for(".preferences"), 303)
    return render_template("notifications/preferences.html", form=form, events=events)
