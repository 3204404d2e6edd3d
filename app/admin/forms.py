"""Forms for creating users and sites."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.students.identifiers import STATE_CODE_PATTERN
from app.users.forms import email_field

STATE_CODE_MESSAGE = _l("Use an ISO 3166-2 code such as US-TX or MX-MIC.")


class UserForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("teacher", _l("Teacher")),
            SelectChoice("coordinator", _l("Coordinator")),
            SelectChoice("admin", _l("Administrator")),
        ],
    )
    given_name = StringField(
        _l("Given names"),
        validators=[DataRequired(message=_l("Enter the given names.")), Length(max=100)],
    )
    family_name = StringField(
        _l("Family names"),
        validators=[DataRequired(message=_l("Enter the family names.")), Length(max=100)],
    )
    email = email_field()
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Enter a password.")),
            Length(min=8, max=200, message=_l("The password must have at least 8 characters.")),
        ],
    )
    site_id = SelectField(_l("Site"), coerce=int, default=0)
    state_code = StringField(
        _l("State (coordinators)"),
        filters=[lambda value: (value or "").strip().upper() or None],
        validators=[Optional(), Regexp(STATE_CODE_PATTERN, message=STATE_CODE_MESSAGE)],
    )
    submit = SubmitField(_l("Create user"))


class SiteForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[lambda value: (value or "").strip().upper()],
        validators=[
            DataRequired(message=_l("Enter a short code for the site.")),
            Regexp(
                r"^[A-Z0-9][A-Z0-9-]{1,31}$",
                message=_l("Use 2 to 32 letters, digits or hyphens for the code."),
            ),
        ],
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter the site's name.")), Length(max=200)]
    )
    state_code = StringField(
        _l("State"),
        filters=[lambda value: (value or "").strip().upper()],
        validators=[
            DataRequired(message=_l("Enter the state.")),
            Regexp(STATE_CODE_PATTERN, message=STATE_CODE_MESSAGE),
        ],
    )
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Create site"))
