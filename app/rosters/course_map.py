"""The course map: a school system's own course codes and the Puente course each one means."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.audit.services import record_event
from app.courses.models import Course
from app.extensions import db
from app.rosters.models import RosterCourseMap
from app.users.models import User

KEY_MAX = 200


class CourseMapError(ValueError):
    """The mapping cannot be saved; the message says why."""


def course_map() -> list[RosterCourseMap]:
    return list(db.session.scalars(select(RosterCourseMap).order_by(RosterCourseMap.key)))


def map_roster_course(key: str, course_code: str, by: User) -> RosterCourseMap:
    """Map a roster's code (courseCode, course sourcedId, classCode or title) to a Puente course.

    :raises CourseMapError: for an empty or too long code, or an unknown Puente course.
    """
    key = (key or "").strip().upper()
    if not key or len(key) > KEY_MAX:
        raise CourseMapError(_("Enter the roster's code, 1 to 200 characters."))
    code = (course_code or "").strip().upper()
    course = db.session.scalar(select(Course).where(func.upper(Course.code) == code))
    if course is None:
        raise CourseMapError(_("No Puente course has the code %(code)s.", code=code))
    entry = db.session.scalar(select(RosterCourseMap).where(RosterCourseMap.key == key))
    entry = entry or RosterCourseMap(key=key)
    entry.course_id = course.id
    db.session.add(entry)
    db.session.flush()
    record_event(by, "roster.course_mapped", entry, key=key, course=course.code)
    return entry


def unmap_roster_course(entry: RosterCourseMap, by: User) -> None:
    record_event(by, "roster.course_unmapped", entry, key=entry.key)
    db.session.delete(entry)
    db.session.flush()
