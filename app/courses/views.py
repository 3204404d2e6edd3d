"""Course catalogue for staff: current versions, a version's units, lesson previews."""

from flask import Blueprint, abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.common import paginate
from app.courses.models import CourseVersion, Item, Lesson, Unit
from app.courses.services import current_versions, other_versions
from app.extensions import db
from app.permissions import staff_required

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.route("/")
@staff_required
def index():
    return render_template("courses/index.html", pagination=paginate(current_versions()))


@bp.route("/<int:version_id>")
@staff_required
def detail(version_id: int):
    version = db.session.scalar(
        select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(
            joinedload(CourseVersion.course),
            selectinload(CourseVersion.units).selectinload(Unit.lessons),
        )
    ) or abort(404)
    rows = db.session.execute(
        select(Item.unit_id, Item.section, func.count())
        .join(Unit)
        .where(Unit.course_version_id == version.id)
        .group_by(Item.unit_id, Item.section)
    ).all()
    counts = {(unit_id, section.value): n for unit_id, section, n in rows}
    return render_template(
        "courses/detail.html", version=version, counts=counts, others=other_versions(version)
    )


@bp.route("/lessons/<int:lesson_id>")
@staff_required
def lesson(lesson_id: int):
    lesson = db.session.get(Lesson, lesson_id) or abort(404)
    unit = db.session.scalar(
        select(Unit)
        .where(Unit.id == lesson.unit_id)
        .options(joinedload(Unit.course_version).joinedload(CourseVersion.course))
    )
    return render_template("courses/lesson.html", lesson=lesson, unit=unit)
