"""Transfer forms: upload a package, confirm the match, trust another installation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Regexp


class UploadForm(FlaskForm):
    package = FileField(
        _l("Transfer package (JSON)"), validators=[FileRequired(_l("Choose a file."))]
    )
    site_id = SelectField(_l("Site"), coerce=int)


class ConfirmForm(FlaskForm):
    package = TextAreaField(validators=[DataRequired()])
    site_id = SelectField(_l("Site"), coerce=int)
    student = SelectField(_l("Student record"))


class TrustForm(FlaskForm):
    issuer = StringField(
        _l("Issuer address"), validators=[DataRequired(), URL(require_tld=False), Length(max=300)]
    )
    name = StringField(_l("Installation name"), validators=[DataRequired(), Length(max=200)])
    public_key = StringField(
        _l("Public key (publicKeyMultibase)"),
        validators=[
            DataRequired(),
            Regexp(
                r"^z[1-9A-HJ-NP-Za-km-z]{40,60}$",
                message=_l("Paste the publicKeyMultibase value from the issuer document."),
            ),
        ],
    )
