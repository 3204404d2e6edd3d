"""Grading forms: the grading page's actions and paper-packet scores.

Per-item scores and feedback are posted as `score-<item id>` / `feedback-<item id>` and
validated by the grading services, which name the question in every message.
"""

import math
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.credits.rules import round_percent
from app.learning.scoring import parse_number


class GradeForm(FlaskForm):
    """Save grades, or return the test for revision (the feedback is then required)."""

    overall_feedback = TextAreaField(
        _l("Feedback for the student"), validators=[Optional(), Length(max=5000)]
    )
    version = HiddenField()  # the attempt's version when the page was opened


class RegradeForm(FlaskForm):
    reason = StringField(
        _l("Reason for the regrade (required)"),
        validators=[
            DataRequired(message=_l("Give the reason for the regrade.")),
            Length(max=1000),
        ],
    )
    version = HiddenField()


class PaperScoresForm(FlaskForm):
    """A unit-work and/or unit-test score from a paper packet: a percent, or points of points."""

    work_percent = StringField(_l("Unit work: percent (0–100)"))
    work_points = StringField(_l("or points earned"))
    work_possible = StringField(_l("of points possible"))
    test_percent = StringField(_l("Unit test: percent (0–100)"))
    test_points = StringField(_l("or points earned"))
    test_possible = StringField(_l("of points possible"))
    taken_on = DateField(_l("Date taken"), default=date.today, validators=[Optional()])
    feedback = TextAreaField(
        _l("Feedback for the student (optional)"), validators=[Optional(), Length(max=5000)]
    )
    seen_attempts = HiddenField()  # the unit's attempt count when the form was opened
    sheet_try = HiddenField()  # the unit-test try a printed answer sheet's QR code names

    def validate_taken_on(self, field) -> None:
        if field.data and field.data > date.today():
            raise ValidationError(_l("The date taken cannot be in the future."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.work = self._score(self.work_percent, self.work_points, self.work_possible)
        self.test = self._score(self.test_percent, self.test_points, self.test_possible)
        if valid and not self.errors and self.work is None and self.test is None:
            self.test_percent.errors.append(
                _l("Enter the unit-work score, the unit-test score, or both.")
            )
        return valid and not self.errors

    @staticmethod
    def _score(percent_field, points_field, possible_field) -> float | None:
        """The percent entered directly or computed from points; errors go on the fields."""
        texts = [(f.data or "").strip() for f in (percent_field, points_field, possible_field)]
        percent_text, points_text, possible_text = texts
        if percent_text:
            if points_text or possible_text:
                percent_field.errors.append(_l("Enter a percent or points, not both."))
                return None
            value = parse_number(percent_text)
            if value is None or not (math.isfinite(value) and 0 <= value <= 100):
                percent_field.errors.append(_l("The percent must be a number from 0 to 100."))
                return None
            return round_percent(value)
        if not points_text and not possible_text:
            return None
        points, possible = parse_number(points_text), parse_number(possible_text)
        if possible is None or not (math.isfinite(possible) and possible > 0):
            possible_field.errors.append(_l("Enter the points possible (more than 0)."))
            return None
        if points is None or not 0 <= points <= possible:
            points_field.errors.append(
                _l("The points earned must be a number from 0 to the points possible.")
            )
            return None
        return round_percent(100 * points / possible)
