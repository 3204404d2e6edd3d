"""The read-only JSON API under /api/v1: every route needs a bearer token and is scoped."""

from flask import Flask
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api.auth import ApiBlueprint, api_user, document_security
from app.api.schemas import (
    AttemptSchema,
    CourseResultSchema,
    CourseVersionDetailSchema,
    CourseVersionSchema,
    EnrollmentDetailSchema,
    EnrollmentQuerySchema,
    EnrollmentSchema,
    MeSchema,
    StudentQuerySchema,
    StudentSchema,
)
from app.api.services import (
    course_detail,
    current_courses,
    enrollment_attempts,
    enrollment_result_report,
    find_enrollments,
    find_students,
    get_visible_enrollment,
    get_visible_student,
    page_of,
)
from app.courses.models import CourseVersion
from app.extensions import api, db
from app.students.models import Student
from app.users.models import Role

PREFIX = "/api/v1"
PAGE = {"page_size": 25, "max_page_size": 100}
NOT_FOUND = {"response": "NOT_FOUND"}

me_blp = ApiBlueprint(
    "api_me", __name__, url_prefix=f"{PREFIX}/me", description="The token's user."
)
students_blp = ApiBlueprint(
    "api_students",
    __name__,
    url_prefix=f"{PREFIX}/students",
    description="Student records in the token's scope.",
)
courses_blp = ApiBlueprint(
    "api_courses", __name__, url_prefix=f"{PREFIX}/courses", description="Course versions."
)
enrollments_blp = ApiBlueprint(
    "api_enrollments",
    __name__,
    url_prefix=f"{PREFIX}/enrollments",
    description="Enrollments, unit progress, attempts and course results in the token's scope.",
)
BLUEPRINTS = (me_blp, students_blp, courses_blp, enrollments_blp)


def register_api(app: Flask) -> None:
    """Register the API blueprints and document the bearer scheme (api.init_app ran before)."""
    document_security(api.spec)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)


def found(obj):
    """`obj`, or a 404 that says the same whether the record is missing or out of scope."""
    if obj is None:
        abort(404, message=_("No such record in this token's scope."))
    return obj


@me_blp.route("")
@me_blp.response(200, MeSchema)
def me():
    """The user the token belongs to (and, for a student, their student record id)."""
    user = api_user()
    student_id = None
    if user.role == Role.STUDENT:
        student_id = db.session.scalar(select(Student.id).where(Student.user_id == user.id))
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "locale": user.locale,
        "state_code": user.state_code,
        "site": user.site,
        "student_id": student_id,
    }


@students_blp.route("")
@students_blp.arguments(StudentQuerySchema, location="query")
@students_blp.response(200, StudentSchema(many=True))
@students_blp.paginate(**PAGE)
def list_students(args, pagination_parameters):
    """Students the token may see, by family and given name."""
    return page_of(find_students(api_user(), args), pagination_parameters)


@students_blp.route("/<int:student_id>")
@students_blp.response(200, StudentSchema)
@students_blp.alt_response(404, **NOT_FOUND)
def get_student(student_id: int):
    """One student record."""
    return found(get_visible_student(api_user(), student_id))


@courses_blp.route("")
@courses_blp.response(200, CourseVersionSchema(many=True))
@courses_blp.paginate(**PAGE)
def list_courses(pagination_parameters):
    """The current version of every course."""
    return page_of(current_courses(), pagination_parameters)


@courses_blp.route("/<int:version_id>")
@courses_blp.response(200, CourseVersionDetailSchema)
@courses_blp.alt_response(404, **NOT_FOUND)
def get_course(version_id: int):
    """A course version (current or earlier) with its units' titles and item counts."""
    options = [selectinload(CourseVersion.course)]
    return course_detail(found(db.session.get(CourseVersion, version_id, options=options)))


@enrollments_blp.route("")
@enrollments_blp.arguments(EnrollmentQuerySchema, location="query")
@enrollments_blp.response(200, EnrollmentSchema(many=True))
@enrollments_blp.paginate(**PAGE)
def list_enrollments(args, pagination_parameters):
    """Enrollments of students the token may see, newest first."""
    return page_of(find_enrollments(api_user(), args), pagination_parameters)


@enrollments_blp.route("/<int:enrollment_id>")
@enrollments_blp.response(200, EnrollmentDetailSchema)
@enrollments_blp.alt_response(404, **NOT_FOUND)
def get_enrollment(enrollment_id: int):
    """One enrollment with each unit's status, scores and where it was completed."""
    return found(get_visible_enrollment(api_user(), enrollment_id))


@enrollments_blp.route("/<int:enrollment_id>/attempts")
@enrollments_blp.response(200, AttemptSchema(many=True))
@enrollments_blp.alt_response(404, **NOT_FOUND)
def list_attempts(enrollment_id: int):
    """Test and practice attempts: outcome only, never items, responses or answers."""
    return enrollment_attempts(found(get_visible_enrollment(api_user(), enrollment_id)))


@enrollments_blp.route("/<int:enrollment_id>/result")
@enrollments_blp.response(200, CourseResultSchema)
@enrollments_blp.alt_response(404, **NOT_FOUND)
def get_result(enrollment_id: int):
    """The course result under the awarding state's rules, with the current credit award."""
    return enrollment_result_report(found(get_visible_enrollment(api_user(), enrollment_id)))
