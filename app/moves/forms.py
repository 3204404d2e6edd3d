"""Move-notice forms: report a move, cancel it, receive the student at one of your sites."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.places import countries, states
from app.sites.models import Site


class MoveForm(FlaskForm):
    """The destination is checked by the service (moves.report_move), which names the problem."""

    destination_code = SelectField(_l("Destination"), validate_choice=False)
    destination_site_id = SelectField(
        _l("Receiving site on Puente (if known)"), validate_choice=False
    )
    move_date = DateField(
        _l("Date of the move"),
        validators=[DataRequired(message=_l("Enter the date of the move."))],
    )
    note = TextAreaField(  # its length is checked by the service, with its own message
        _l("Note for the receiving staff"), render_kw={"maxlength": 500, "rows": 2}
    )

    def set_choices(self, sites: list[Site]) -> None:
        us, mx = str(_l("United States")), str(_l("Mexico"))
        self.destination_code.choices = (
            [SelectChoice("", "—")]
            + [SelectChoice(p.code, p.name()) for p in countries()]
            + [SelectChoice(p.code, p.name(), optgroup=us) for p in states("US")]
            + [SelectChoice(p.code, p.name(), optgroup=mx) for p in states("MX")]
        )
        self.destination_site_id.choices = [SelectChoice("", _l("Not known"))] + [
            SelectChoice(str(s.id), f"{s.name} ({s.state_code})") for s in sites
        ]


class CancelMoveForm(FlaskForm):
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class ReceiveForm(FlaskForm):
    site_id = SelectField(
        _l("Receive at"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the site that takes the student in."))],
    )
