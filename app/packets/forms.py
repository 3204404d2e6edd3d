"""Packet forms: starting a batch is a POST with a CSRF token; the chosen units ride along."""

from flask_wtf import FlaskForm


class BatchForm(FlaskForm):
    """Only a CSRF token: the unit progresses and the page size are read from the form."""
