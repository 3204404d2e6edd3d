"""The faster translations and dates (app/i18n.py) answer exactly what Jinja's i18n extension,
flask-babel and Babel answer, for every message of the catalogue and many dates and locales."""

import random
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import flask_babel
import pytest
from babel import dates as babel_dates
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

from app import i18n
from config import BASE_DIR

CATALOGUE = BASE_DIR / "app" / "translations"
LOCALES = ["en", "es", "es_MX", "fr", "de", "pt_BR", "ja", "ar", "zh_Hant", "en_GB", "ru"]
FORMATS = ["short", "medium", "long", "full", "yyyy-MM-dd HH:mm", "EEE d MMM y 'at' h a"]
DATE_FORMATS = ["short", "medium", "long", "full", "yyyy-MM-dd", "EEEE d 'de' MMMM"]


def _messages() -> list:
    with open(CATALOGUE / "es" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return [message.id for message in read_po(handle) if message.id]


def _variables(text: str, plural: bool = False) -> dict:
    """A value for each placeholder: text with characters to escape, or a number (ngettext
    gives a plural's `num` itself)."""
    found = re.findall(r"%\((\w+)\)([a-z])", text)
    return {
        name: 7 if kind in "di" else f"<{name}&>"
        for name, kind in found
        if not (plural and name == "num")
    }


def _reference(translations) -> Environment:
    """Jinja's own i18n extension over the same catalogue, as flask-babel installs it."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    env.install_gettext_callables(
        gettext=translations.ugettext, ngettext=translations.ungettext, newstyle=True
    )
    return env


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_message_reads_as_jinja_i18n_has_it(app, language):
    messages = _messages()
    assert len(messages) > 500
    singular = "{{ _(m, **v) }}|{{ gettext(m, **v) }}|{% autoescape false %}{{ _(m, **v) }}{% endautoescape %}"
    plural = "{{ ngettext(m[0], m[1], n, **v) }}"
    translations = Translations.load(str(CATALOGUE), [language])
    reference = _reference(translations)
    want_one, want_many = (reference.from_string(t) for t in (singular, plural))
    got_one, got_many = (app.jinja_env.from_string(t) for t in (singular, plural))
    with app.test_request_context(), flask_babel.force_locale(language):
        for message in messages:
            if isinstance(message, tuple):
                for n in (1, 2, 5):
                    variables = _variables(message[0] + message[1], plural=True)
                    want = want_many.render(m=message, n=n, v=variables)
                    got = got_many.render(m=message, n=n, v=variables)
                    assert got == want, message
                continue
            variables = _variables(message)
            want = want_one.render(m=message, v=variables)
            for _twice in (1, 2):  # made, then remembered
                got = got_one.render(m=message, v=variables)
                assert got == want, message
            assert flask_babel.gettext(message, **variables) == translations.ugettext(message) % (
                variables or {}
            )


def _moments() -> list[datetime]:
    pick = random.Random(15)
    start = datetime(1999, 12, 31, 23, 59, 59)
    moments = [start + timedelta(seconds=pick.randrange(0, 40 * 365 * 86400)) for _ in range(150)]
    # Midnight, noon, leap day, the hours around US and Mexican clock changes.
    moments += [datetime(2024, 2, 29, 0, 0), datetime(2026, 6, 1, 12, 0, 0, 999999)]
    moments += [datetime(2026, 3, 8, 7, 59) + timedelta(minutes=m) for m in (0, 1, 61)]
    moments += [datetime(2026, 11, 1, 5, 59) + timedelta(minutes=m) for m in (0, 1, 61)]
    return moments


def test_dates_read_as_flask_babel_formats_them(app):
    moments = _moments()
    days = [moment.date() for moment in moments[:60]] + [date(2030, 1, 1), date(1970, 1, 1)]
    zones = [ZoneInfo("America/Chicago"), ZoneInfo("America/Mexico_City"), ZoneInfo("UTC")]
    with app.test_request_context():
        for locale in LOCALES:
            with flask_babel.force_locale(locale):
                for format, date_format in zip(FORMATS, DATE_FORMATS, strict=True):
                    for _twice in (1, 2):
                        for moment in moments:
                            want = flask_babel.format_datetime(moment, format)
                            assert i18n.format_datetime(moment, format) == want
                            want = flask_babel.format_date(moment, date_format)
                            assert i18n.format_date(moment, date_format) == want
                        for day in days:
                            want = flask_babel.format_date(day, date_format)
                            assert i18n.format_date(day, date_format) == want
                for zone in zones:
                    for moment in moments[:40]:
                        aware = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
                        want = babel_dates.format_time(
                            aware, "short", tzinfo=zone, locale=str(flask_babel.get_locale())
                        )
                        assert i18n.format_time(aware, "short", tzinfo=zone) == want


def test_the_page_filters_use_them(app):
    moment = datetime(2026, 12, 2, 6, 30, 15)
    page = "{{ m|datetimeformat }}|{{ m|dateformat }}|{{ d|dateformat }}|{{ none|dateformat }}"
    with app.test_request_context():
        for locale in ("en", "es"):
            with flask_babel.force_locale(locale):
                got = app.jinja_env.from_string(page).render(m=moment, d=moment.date(), none=None)
                want = "|".join(
                    (
                        flask_babel.format_datetime(moment, "medium"),
                        flask_babel.format_date(moment, "medium"),
                        flask_babel.format_date(moment.date(), "medium"),
                        "",
                    )
                )
                assert got == want
