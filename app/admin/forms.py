"""Admin forms: create and edit users, upload a course package."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.sites.forms import STATE_CODE_MESSAGE
from app.students.identifiers import STATE_CODE_PATTERN
from app.users.forms import email_field


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


class UserEditForm(FlaskForm):
    role = SelectField(_l("Role"), choices=UserForm.role.kwargs["choices"])
    given_name = StringField(
        _l("Given names"),
        validators=[DataRequired(message=_l("Enter the given names.")), Length(max=100)],
    )
    family_name = StringField(
        _l("Family names"),
        validators=[DataRequired(message=_l("Enter the family names.")), Length(max=100)],
    )
    site_id = SelectField(_l("Site"), coerce=int, default=0)
    state_code = StringField(
        _l("State (coordinators)"),
        filters=[lambda value: (value or "").strip().upper() or None],
        validators=[Optional(), Regexp(STATE_CODE_PATTERN, message=STATE_CODE_MESSAGE)],
    )
    is_active = BooleanField(_l("Can sign in (active)"))
    submit = SubmitField(_l("Save the user"))


class CoursePackageForm(FlaskForm):
    package = FileField(
        _l("Course package (ZIP)"), validators=[FileRequired(_l("Choose a ZIP file."))]
    )
    submit = SubmitField(_l("Check and import"))
