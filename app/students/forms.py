"""Student list filters and the add-student form."""

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


class StudentForm(FlaskForm):
    given_name = StringField(_l("Given names"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family names"), validators=[DataRequired(), Length(max=100)])
    site_id = SelectField(_l("Site"), coerce=int, validators=[DataRequired()])
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
        validators=[Optional(), Regexp(r"^\d{12}$", message=_l("The MSIX ID must be 12 digits."))],
    )
    curp = StringField(
        _l("CURP"),
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z]{4}\d{6}[HMXhmx][A-Za-z]{5}[A-Za-z0-9]\d$",
                message=_l("The CURP must have 18 characters in the official format."),
            ),
        ],
    )
    state_student_id = StringField(_l("State student ID"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("Sign-in email (optional)"), validators=[Optional(), Email()])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)])
    submit = SubmitField(_l("Add student"))
