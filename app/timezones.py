"""Each state's (main) time zone, and times shown in the viewer's zone and language."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import g
from flask_login import current_user

from app.i18n import format_time

# A state's most populous zone (data: a state that spans two zones names the larger one).
_ZONES = {
    "America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO ID MT NM UT WY",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
}
_MX_ZONES = {
    "America/Tijuana": "BCN",
    "America/Mazatlan": "BCS NAY SIN",
    "America/Hermosillo": "SON",
    "America/Chihuahua": "CHH",
    "America/Cancun": "ROO",
}
STATE_ZONES = {f"US-{code}": zone for zone, codes in _ZONES.items() for code in codes.split()}
STATE_ZONES |= {f"MX-{code}": zone for zone, codes in _MX_ZONES.items() for code in codes.split()}
MEXICO_DEFAULT = "America/Mexico_City"


def state_zone(state_code: str | None) -> ZoneInfo:
    """The time zone of an ISO 3166-2 state (Mexico City for the other Mexican states, UTC
    when not known)."""
    code = state_code or ""
    if code in STATE_ZONES:
        return ZoneInfo(STATE_ZONES[code])
    return ZoneInfo(MEXICO_DEFAULT if code.startswith("MX") else "UTC")


def viewer_zone() -> ZoneInfo:
    """The signed-in user's zone: their state, else their site's state (cached per request)."""
    if "viewer_zone" not in g:
        user = current_user
        state = None
        if getattr(user, "is_authenticated", False):
            state = user.state_code or (user.site.state_code if user.site else None)
        g.viewer_zone = state_zone(state)
    return g.viewer_zone


def local_time(value: datetime | None) -> str:
    """A stored naive-UTC time as the viewer's wall-clock time ("2:35 PM", "14:35")."""
    if value is None:
        return ""
    moment = value.replace(tzinfo=UTC).astimezone(viewer_zone())
    return format_time(moment, "short", tzinfo=viewer_zone())
