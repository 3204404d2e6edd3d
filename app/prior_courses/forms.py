"""Forms for a student's prior Mexican courses: add one, delete one (with a reason)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.credits.rules import grade_levels
from app.places import states


class PriorCourseForm(FlaskForm):
    """A course taken in Mexico. Year and SEP grade are text: the service checks them and says
    exactly what is wrong (a level, a year not at the level, a grade off the 0-10 scale)."""

    subject = StringField(_l("Subject"), render_kw={"maxlength": 120})
    level = SelectField(_l("Mexican level"), validate_choice=False)
    year = StringField(
        _l("Year or semester"), render_kw={"type": "number", "min": 1, "max": 6, "step": 1}
    )
    sep_grade = StringField(_l("SEP grade (0–10)"), render_kw={"inputmode": "decimal"})
    school = StringField(_l("School"), render_kw={"maxlength": 200})
    state_code = SelectField(_l("Mexican state"), validate_choice=False)
    school_year = StringField(
        _l("School year"), render_kw={"placeholder": "2024-2025", "maxlength": 9}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [
            SelectChoice(row["level"], row["level"].capitalize()) for row in grade_levels()
        ]
        self.state_code.choices = [SelectChoice("", "—")] + [
            SelectChoice(p.code, f"{p.name()} ({p.code})") for p in states("MX")
        ]


class DeletePriorCourseForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(message=_l("Say why this course is deleted.")),
            Length(max=500),
        ],
    )
