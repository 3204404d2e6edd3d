"""The roster forms: upload a set, export one, map a school system's course code."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.places import states


def state_choices() -> list[SelectChoice]:
    return [
        SelectChoice(p.code, f"{p.code} · {p.name()}")
        for country in ("US", "MX")
        for p in states(country)
    ]


class RosterUploadForm(FlaskForm):
    roster = FileField(
        _l("OneRoster 1.2 or 1.1 CSV set (ZIP)"), validators=[FileRequired(_l("Choose a file."))]
    )
    state = SelectField(
        _l("State of schools the file does not place"),
        description=_l("Used only for a school with no parent org of type state and no site here."),
        choices=[],
        default="",
        validate_choice=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [
            SelectChoice("", _l("None: the file or the site says"))
        ] + state_choices()


class RosterExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download that changes nothing

    scope = SelectField(_l("Students of"), choices=[], validate_choice=True)
    version = SelectField(
        _l("OneRoster version"),
        choices=[
            SelectChoice("1.2", _l("1.2 (with Gradebook results)")),
            SelectChoice("1.1", _l("1.1 (most consumers)")),
        ],
        validate_choice=True,
    )


class CourseMapForm(FlaskForm):
    key = StringField(
        _l("The roster's code"),
        description=_l("A courseCode, a course's sourcedId, a classCode or a class title."),
        validators=[DataRequired(_l("Enter the roster's code.")), Length(max=200)],
    )
    course_code = StringField(
        _l("Puente course code"), validators=[DataRequired(_l("Enter a Puente course code."))]
    )
