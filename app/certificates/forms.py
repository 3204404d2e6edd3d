"""Certificate forms: issuing is a confirmed POST; revoking needs a reason."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class ConfirmForm(FlaskForm):
    """Only a CSRF token: what is certified comes from the credit award on the server."""


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Give the reason for revoking the certificate.")),
            Length(max=500),
        ],
    )


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a public lookup by GET: nothing is changed

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=40)])
