"""Assignment and withdrawal forms."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


def not_in_the_past(_form, field) -> None:
    if field.data and field.data < date.today():
        raise ValidationError(_l("The target date cannot be in the past."))


class AssignForm(FlaskForm):
    course_version_id = SelectField(
        _l("Course"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose a course."))],
    )
    target_date = DateField(_l("Target date"), validators=[Optional(), not_in_the_past])
    student_ids = SelectMultipleField(
        _l("Students"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one student."))],
    )
    submit = SubmitField(_l("Assign"))


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why the enrollment is withdrawn.")),
            Length(max=500),
        ],
    )
    submit = SubmitField(_l("Withdraw"))
