"""Credit forms: awarding is a confirmed POST; prior Mexican courses are entered from papers."""

from flask_wtf import FlaskForm


class AwardCreditForm(FlaskForm):
    """Only a CSRF token: the credit, grade and units come from the rules, never the form."""
