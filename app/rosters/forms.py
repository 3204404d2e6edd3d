"""The roster upload form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class RosterUploadForm(FlaskForm):
    roster = FileField(
        _l("OneRoster 1.2 CSV set (ZIP)"), validators=[FileRequired(_l("Choose a file."))]
    )
