"""Home and health views."""

from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db
from app.users.models import Role

bp = Blueprint("main", __name__)

HOME_BY_ROLE = {
    Role.STUDENT: "learning.dashboard",
    Role.TEACHER: "students.index",
    Role.COORDINATOR: "students.index",
    Role.ADMIN: "students.index",
}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means the database is down
        db.session.rollback()
        return jsonify(status="error", database="error", detail=type(error).__name__), 503
    return jsonify(status="ok", database=database, dialect=db.engine.dialect.name)
