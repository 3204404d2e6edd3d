"""Languages and dates at a few microseconds a call: which language a request is answered in,
the catalogue found by the locale object, a template's message translated once per language,
a formatted date remembered."""

from datetime import UTC, datetime
from functools import lru_cache

from babel import Locale, dates
from flask import request, session
from flask_babel import Domain, get_domain, get_locale, get_timezone
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from config import Config

# Parsed once: flask-babel takes a Locale as it is, but parses a name on every request.
LOCALES = {name: Locale.parse(name) for name in Config.LANGUAGES}


def best_language(accept_language: str) -> str:
    """The best of our languages for an Accept-Language header."""
    accepted = parse_accept_header(accept_language, LanguageAccept)
    return accepted.best_match(Config.LANGUAGES) or "en"


# Browsers send a few forms of the header; a long one is not kept (the cache stays small).
remembered_best_language = lru_cache(maxsize=512)(best_language)


def browser_language(accept_language: str) -> str:
    if len(accept_language) > 200:
        return best_language(accept_language)
    return remembered_best_language(accept_language)


def choose_language(preference: str | None) -> str:
    """The signed-in user's `preference`, then the session's choice, then the browser's."""
    if preference in LOCALES:
        return preference
    if session.get("locale") in LOCALES:
        return session["locale"]
    return browser_language(request.headers.get("Accept-Language", ""))


class RequestDomain(Domain):
    """flask-babel's domain, keyed by the request's locale object: flask-babel rebuilds the
    locale's name on every call to find the catalogue it loaded once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._by_locale = {}

    def get_translations(self):
        locale = get_locale()
        if locale is None:
            return super().get_translations()  # outside a request: no translation
        try:
            return self._by_locale[locale]
        except KeyError:
            translations = self._by_locale[locale] = super().get_translations()
            return translations


# (catalogue, message, autoescape) -> the message as a template shows it without variables.
_messages: dict = {}


@pass_context
def template_gettext(context, message: str, /, **variables):
    """`_()` and `gettext()` in templates, as Jinja's i18n extension (newstyle) does them;
    a message without variables is looked up and escaped once per language."""
    translations = get_domain().get_translations()
    autoescape = context.eval_ctx.autoescape
    if not variables:
        key = (translations, message, autoescape)
        try:
            return _messages[key]
        except KeyError:
            pass
    text = translations.ugettext(message)
    if autoescape:
        text = Markup(text)
    # Always a format string, as Jinja's newstyle gettext has it ("%%" reads "%").
    text = text % variables
    if not variables:
        _messages[key] = text
    return text


@pass_context
def template_ngettext(context, singular: str, plural: str, num: int, /, **variables):
    """`ngettext()` in templates, as Jinja's i18n extension (newstyle) does it."""
    variables.setdefault("num", num)
    text = get_domain().get_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


@pass_context
def template_pgettext(context, msgctxt: str, message: str, /, **variables):
    """`pgettext()` in templates: a message in a context (a word that is a verb here, a noun
    there), as Jinja's i18n extension (newstyle) does it."""
    text = get_domain().get_translations().upgettext(msgctxt, message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install(app) -> None:
    """Use the faster domain and template functions in `app` (after Babel's init_app)."""
    babel = app.extensions["babel"]
    babel.instance.domain_instance = RequestDomain(domain=babel.default_domain)
    # `_` straight to the function: Jinja's alias would look `gettext` up again on every call.
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
    )


# --- dates: what flask-babel's format_date / format_datetime answer, remembered -------------

DATE_CACHE = 8192  # a few hundred bytes each; lists show the same rows page after page


@lru_cache(maxsize=DATE_CACHE, typed=True)
def _datetime_text(value, format: str, locale, tzinfo) -> str:
    return dates.format_datetime(value, format, tzinfo=tzinfo, locale=locale)


@lru_cache(maxsize=DATE_CACHE, typed=True)
def _date_text(value, format: str, locale) -> str:
    return dates.format_date(value, format, locale=locale)


@lru_cache(maxsize=DATE_CACHE, typed=True)
def _time_text(value, format: str, locale, tzinfo) -> str:
    return dates.format_time(value, format, tzinfo=tzinfo, locale=locale)


def format_datetime(value, format: str = "medium") -> str:
    """flask_babel.format_datetime(value, format): in the request's language and time zone."""
    return _datetime_text(value, format, get_locale(), get_timezone())


def format_date(value, format: str = "medium") -> str:
    """flask_babel.format_date(value, format): a datetime is first moved to the request's zone."""
    if isinstance(value, datetime):
        return _datetime_date_text(value, format, get_locale(), get_timezone())
    return _date_text(value, format, get_locale())


@lru_cache(maxsize=DATE_CACHE)
def _datetime_date_text(value: datetime, format: str, locale, tzinfo) -> str:
    # flask_babel.to_user_timezone: a naive time is UTC.
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    return dates.format_date(tzinfo.normalize(moment.astimezone(tzinfo)), format, locale=locale)


def format_time(value, format: str, tzinfo) -> str:
    """babel.dates.format_time(value, format, tzinfo, the request's locale)."""
    return _time_text(value, format, get_locale(), tzinfo)
