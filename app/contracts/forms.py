"""The contract of study form: mentor, hours, meeting time, and per course its target dates."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.contracts.services import ContractError


class ContractForm(FlaskForm):
    mentor_id = SelectField(_l("Mentor (teacher of record)"), coerce=int)
    weekly_hours = IntegerField(
        _l("Hours of study a week"),
        validators=[
            InputRequired(message=_l("Enter the hours of study a week.")),
            NumberRange(1, 40, message=_l("Weekly hours must be a whole number from 1 to 40.")),
        ],
    )
    meeting_time = StringField(
        _l("Meeting time with the mentor"),
        validators=[
            DataRequired(message=_l("Say when the student meets the mentor, e.g. Tuesdays 4 pm.")),
            Length(max=120),
        ],
    )
    starts_on = DateField(
        _l("Starts on"),
        validators=[InputRequired(message=_l("Enter the date the contract starts."))],
    )
    revision = HiddenField()
    submit = SubmitField(_l("Save the contract"))


class AcknowledgeForm(FlaskForm):
    role = HiddenField(default="student")


def _date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ContractError(_("%(value)s is not a date (use YYYY-MM-DD).", value=value)) from None


def course_targets(form, enrollments) -> dict[int, dict]:
    """The courses ticked on the page, each with its course and unit target dates.

    Fields: ``course-<enrollment id>`` (ticked), ``target-<id>``, ``unit-<id>-<number>``.
    :raises ContractError: for a date that is not one.
    """
    courses = {}
    for enrollment in enrollments:
        key = enrollment.id
        if not form.get(f"course-{key}"):
            continue
        units = {}
        for number in range(1, enrollment.course_version.unit_count + 1):
            target = _date(form.get(f"unit-{key}-{number}", ""))
            if target is not None:
                units[number] = target
        courses[key] = {"target": _date(form.get(f"target-{key}", "")), "units": units}
    return courses


def contract_data(form: ContractForm, request_form, enrollments) -> dict:
    """The service's input from the validated form and the per-course fields."""
    revision = (form.revision.data or "").strip()
    return {
        "mentor_id": form.mentor_id.data,
        "weekly_hours": form.weekly_hours.data,
        "meeting_time": form.meeting_time.data,
        "starts_on": form.starts_on.data,
        "courses": course_targets(request_form, enrollments),
        "revision": int(revision) if revision.isdigit() else None,
    }
