"""Credit forms: awarding is a confirmed POST; the result itself is computed on the server."""

from flask_wtf import FlaskForm


class AwardCreditForm(FlaskForm):
    """Only a CSRF token: the credit, grade and units come from the rules, never the form."""
