"""The add-student and edit-identity forms, and the sign-in invitation form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from app.auth.passwords import MAX_LENGTH
from app.students.identifiers import (
    CURP_MESSAGE,
    CURP_PATTERN,
    MSIX_MESSAGE,
    MSIX_PATTERN,
    STATE_ID_MAX,
    upper_filter,
)
from app.users.forms import email_field


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IdentityForm(FlaskForm):
    """Names, kind, grade and identifiers: shared by adding and editing a student."""

    given_name = StringField(
        _l("Given names"), filters=[_strip], validators=[DataRequired(), Length(max=100)]
    )
    family_name = StringField(
        _l("First surname"), filters=[_strip], validators=[DataRequired(), Length(max=100)]
    )
    second_family_name = StringField(
        _l("Second surname (optional)"), filters=[_strip], validators=[Optional(), Length(max=100)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("secondary", _l("Secondary student")),
            SelectChoice("osy", _l("Out-of-school youth")),
        ],
    )
    grade_level = IntegerField(
        _l("US grade level"), validators=[Optional(), NumberRange(min=6, max=12)]
    )
    birth_date = DateField(_l("Date of birth"), validators=[Optional()])
    msix_id = StringField(
        _l("MSIX ID"),
        filters=[_strip],
        validators=[Optional(), Regexp(MSIX_PATTERN, message=MSIX_MESSAGE)],
    )
    curp = StringField(
        _l("CURP"),
        filters=[upper_filter],
        validators=[Optional(), Regexp(CURP_PATTERN, message=CURP_MESSAGE)],
    )
    state_student_id = StringField(
        _l("State student ID"), filters=[_strip], validators=[Optional(), Length(max=STATE_ID_MAX)]
    )


class StudentForm(IdentityForm):
    site_id = SelectField(_l("Site"), coerce=int, validators=[DataRequired()])
    email = EmailField(_l("Sign-in email (optional)"), validators=[Optional(), Email()])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=MAX_LENGTH)])
    submit = SubmitField(_l("Add student"))


class EditStudentForm(IdentityForm):
    submit = SubmitField(_l("Save changes"))


class InviteForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Email a sign-in link"))
