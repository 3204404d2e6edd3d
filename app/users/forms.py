"""Profile forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class PreferencesForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("en", "English"), SelectChoice("es", "Español")]
    )
    submit = SubmitField(_l("Save"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Create token"))
