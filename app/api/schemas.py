"""Marshmallow schemas: what the API reads from query strings and writes as JSON."""

from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

from app.courses.models import Section
from app.enrollments.models import EnrollmentStatus, UnitStatus
from app.learning.models import AttemptStatus, Mode
from app.security import MAX_ID
from app.students.identifiers import MSIX_PATTERN
from app.students.models import StudentKind
from app.users.models import Role


class UtcDateTime(fields.DateTime):
    """A stored (naive UTC) timestamp written as RFC 3339 with its offset, as `date-time` says."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


# Query strings never carry NUL (the app refuses it with a 400 before any view); documented so.
NO_NUL = validate.Regexp(r"^[^\x00]*$", error="No NUL characters.")


class QuerySchema(Schema):
    """Query-string arguments; unknown ones (page, page_size) are left to other parsers."""

    class Meta:
        unknown = EXCLUDE


class SiteSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    state_code = fields.String(metadata={"description": "ISO 3166-2, e.g. US-TX."})


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.Enum(Role, by_value=True)
    given_name = fields.String()
    family_name = fields.String()
    locale = fields.String(allow_none=True)
    state_code = fields.String(allow_none=True)
    site = fields.Nested(SiteSchema, allow_none=True)
    student_id = fields.Integer(
        allow_none=True, metadata={"description": "The student record of a student's token."}
    )


class StudentQuerySchema(QuerySchema):
    site = fields.String(validate=NO_NUL, metadata={"description": "Site code."})
    q = fields.String(
        validate=[validate.Length(max=100), NO_NUL],
        metadata={"description": "Name, MSIX ID, CURP or state student ID."},
    )
    msix_id = fields.String(validate=validate.Regexp(MSIX_PATTERN, error="12 digits."))
    curp = fields.String(validate=[validate.Length(equal=18), NO_NUL])


class StudentSchema(Schema):
    id = fields.Integer()
    given_name = fields.String()
    family_name = fields.String()
    birth_date = fields.Date(allow_none=True)
    kind = fields.Enum(StudentKind, by_value=True)
    grade_level = fields.Integer(allow_none=True)
    msix_id = fields.String(allow_none=True)
    state_student_id = fields.String(allow_none=True)
    curp = fields.String(allow_none=True)
    site = fields.Nested(SiteSchema)
    created_at = UtcDateTime()


class CourseVersionSchema(Schema):
    id = fields.Integer(metadata={"description": "The course version id."})
    course_id = fields.Integer()
    code = fields.String()
    version = fields.String()
    subject = fields.String()
    title_en = fields.String()
    title_es = fields.String()
    grade_levels = fields.String()
    credit = fields.Float(metadata={"description": "Carnegie units for the whole course."})
    hours = fields.Integer()
    unit_count = fields.Integer()
    is_current = fields.Boolean()


class UnitSummarySchema(Schema):
    id = fields.Integer()
    number = fields.Integer()
    title_en = fields.String()
    title_es = fields.String()
    hours = fields.Integer()
    lesson_count = fields.Integer()
    practice_item_count = fields.Integer()
    test_item_count = fields.Integer()


class CourseVersionDetailSchema(CourseVersionSchema):
    description_en = fields.String()
    description_es = fields.String()
    units = fields.List(fields.Nested(UnitSummarySchema))


class EnrollmentQuerySchema(QuerySchema):
    student_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    status = fields.Enum(EnrollmentStatus, by_value=True)


class StudentBriefSchema(Schema):
    id = fields.Integer()
    given_name = fields.String()
    family_name = fields.String()
    site_code = fields.Function(lambda student: student.site.code)


class CourseBriefSchema(Schema):
    version_id = fields.Integer(attribute="id")
    code = fields.String()
    version = fields.String()
    title_en = fields.String()
    title_es = fields.String()


class EnrollmentSchema(Schema):
    id = fields.Integer()
    student = fields.Nested(StudentBriefSchema)
    course = fields.Nested(CourseBriefSchema, attribute="course_version")
    status = fields.Enum(EnrollmentStatus, by_value=True)
    assigned_at = UtcDateTime()
    target_date = fields.Date(allow_none=True)
    started_at = UtcDateTime(allow_none=True)
    completed_at = UtcDateTime(allow_none=True)
    units_passed = fields.Function(
        lambda enrollment: sum(1 for u in enrollment.units if u.status == UnitStatus.PASSED)
    )


class UnitProgressSchema(Schema):
    unit_number = fields.Integer()
    unit_id = fields.Integer()
    title_en = fields.Function(lambda progress: progress.unit.title_en)
    title_es = fields.Function(lambda progress: progress.unit.title_es)
    status = fields.Enum(UnitStatus, by_value=True)
    lessons_read = fields.Integer()
    best_test_percent = fields.Float(allow_none=True)
    work_percent = fields.Float(allow_none=True)
    test_attempts = fields.Integer()
    completed_at = UtcDateTime(allow_none=True)
    completed_site = fields.Function(
        lambda progress: progress.completed_site.code if progress.completed_site else None,
        metadata={"description": "Code of the site where the unit was completed."},
    )


class EnrollmentDetailSchema(EnrollmentSchema):
    units = fields.List(fields.Nested(UnitProgressSchema))


class AttemptSchema(Schema):
    """An attempt's outcome; never the items, responses or correct answers."""

    id = fields.Integer()
    unit_number = fields.Function(lambda attempt: attempt.unit_progress.unit_number)
    section = fields.Enum(Section, by_value=True, metadata={"description": "test or practice."})
    number = fields.Integer()
    mode = fields.Enum(Mode, by_value=True)
    status = fields.Enum(AttemptStatus, by_value=True)
    percent = fields.Float(allow_none=True)
    started_at = UtcDateTime()
    submitted_at = UtcDateTime(allow_none=True)
    graded_at = UtcDateTime(allow_none=True)


class CreditAwardSchema(Schema):
    id = fields.Integer()
    units_passed = fields.Integer()
    unit_count = fields.Integer()
    grade_percent = fields.Float()
    letter = fields.String()
    sep_grade = fields.Float()
    credit = fields.Float()
    credit_system = fields.String()
    is_partial = fields.Boolean()
    state_code = fields.String()
    site_code = fields.Function(lambda award: award.site.code)
    awarded_at = UtcDateTime()


class CourseResultSchema(Schema):
    enrollment_id = fields.Integer()
    state_code = fields.String(metadata={"description": "The awarding state whose rules apply."})
    credit_system = fields.String()
    unit_count = fields.Integer()
    units_scored = fields.Integer()
    units_passed = fields.Integer()
    grade_percent = fields.Float(allow_none=True)
    letter = fields.String(allow_none=True)
    sep_grade = fields.Float(allow_none=True, metadata={"description": "Mexico's 0-10 scale."})
    is_complete = fields.Boolean()
    is_passed = fields.Boolean()
    credit = fields.Float(metadata={"description": "Full credit if passed, else partial."})
    is_partial = fields.Boolean()
    needs_reassessment = fields.Boolean()
    award = fields.Nested(
        CreditAwardSchema,
        allow_none=True,
        metadata={"description": "The current (not superseded) credit award, if any."},
    )
