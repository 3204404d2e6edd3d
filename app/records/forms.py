"""Record forms: starting an export is a POST with a CSRF token; the filters ride along."""

from flask_wtf import FlaskForm


class ExportForm(FlaskForm):
    """Only a CSRF token: the export's filters are read from the form's other fields."""
