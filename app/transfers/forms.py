"""Transfer forms: upload a package, confirm the match, trust another installation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    package = FileField(
        _l("Transfer package (JSON)"), validators=[FileRequired(_l("Choose a file."))]
    )
    site_id = SelectField(_l("Site"), coerce=int)


class ConfirmForm(FlaskForm):
    package = TextAreaField(validators=[DataRequired()])
    site_id = SelectField(_l("Site"), coerce=int)
    student = SelectField(_l("Student record"))
    # Set when the package came with a move another installation sent here.
    inbound_id = HiddenField()


class TrustForm(FlaskForm):
    document = TextAreaField(
        _l("The other installation's issuer document (paste all of it)"),
        validators=[DataRequired(_l("Paste the issuer document.")), Length(max=20_000)],
    )


class RemoveTrustForm(FlaskForm):
    reason = StringField(
        _l("Reason for removing it"),
        validators=[
            DataRequired(_l("Say why this installation is no longer trusted.")),
            Length(min=3, max=1000, message=_l("Say why this installation is no longer trusted.")),
        ],
    )
