"""Home and health views."""

from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user

from app.jobs import huey
from app.main.health import database_status, queue_status
from app.users.models import Role

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {
    Role.STUDENT: "learning.dashboard",
    Role.TEACHER: "students.index",
    Role.COORDINATOR: "students.index",
    Role.ADMIN: "students.index",
    Role.GUARDIAN: "family.index",
}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/healthz")
def healthz():
    """Each part's status; 503 when one is down, so a load balancer stops sending users here."""
    body = database_status() | queue_status(huey)
    down = [part for part in ("database", "jobs") if body[part] != "ok"]
    return jsonify(status="error" if down else "ok", down=down, **body), 503 if down else 200
