"""The form for creating a site."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.students.identifiers import STATE_CODE_PATTERN

STATE_CODE_MESSAGE = _l("Use an ISO 3166-2 code such as US-TX or MX-MIC.")


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
