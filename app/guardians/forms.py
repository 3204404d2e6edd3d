"""Staff invite a guardian from the student's page; unlink with CSRF only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.users.forms import email_field

GUARDIAN_PREFIX = "guardian"  # its fields share the student page with the student's own email


class GuardianForm(FlaskForm):
    email = email_field(_l("Guardian's email"))
    given_name = StringField(_l("Given names"), validators=[Optional(), Length(max=100)])
    family_name = StringField(_l("Family names"), validators=[Optional(), Length(max=100)])
    relation = StringField(
        _l("Relationship to the student (optional)"), validators=[Optional(), Length(max=60)]
    )
    locale = SelectField(
        _l("Language of the guardian's pages"),
        choices=[SelectChoice("es", "Español"), SelectChoice("en", "English")],
        default="es",
    )
    submit = SubmitField(_l("Invite the guardian"))


class UnlinkForm(FlaskForm):
    """Names the link it removes, so a stray or replayed post removes nothing else."""

    link = HiddenField(validators=[DataRequired()])
