"""The preferences form: one choice of delivery for each event the user's role may receive."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from app.notifications.events import DELIVERY_LABELS, LABELS, deliveries_for
from app.notifications.models import Delivery, Event


def preferences_form(events: list[Event], chosen: dict[Event, Delivery], formdata=None):
    """A form with a radio group per event (field name: the event's value)."""

    class PreferencesForm(FlaskForm):
        submit = SubmitField(_l("Save my choices"))

    for event in events:
        field = RadioField(
            LABELS[event],
            choices=[SelectChoice(d.value, DELIVERY_LABELS[d]) for d in deliveries_for(event)],
            validators=[InputRequired(message=_l("Choose how you want to hear of this."))],
        )
        setattr(PreferencesForm, event.value, field)
    data = {event.value: chosen[event].value for event in events}
    return PreferencesForm(formdata=formdata, data=data)


class MarkForm(FlaskForm):
    """CSRF only: mark read, mark all read."""
