"""Translated labels for status and role values shown to users."""

from flask import has_app_context
from flask_babel import get_domain
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "awaiting_grading": _l("Awaiting grading"),
    "submitted": _l("Awaiting grading"),
    "returned": _l("Returned for revision"),
    "passed": _l("Passed"),
    "failed": _l("Not passed"),
    "graded": _l("Graded"),
    "active": _l("Active"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "online": _l("Online"),
    "paper": _l("Paper packet"),
    "secondary": _l("Secondary student"),
    "osy": _l("Out-of-school youth"),
}

ROLE_LABELS = {
    "student": _l("Student"),
    "teacher": _l("Teacher"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Administrator"),
    "guardian": _l("Parent or guardian"),
}


# catalogue -> {status: label}: a list shows the same few statuses on every row.
_status_labels: dict = {}


def status_labels() -> dict[str, str]:
    """{status: its label} in the current language, translated once per language."""
    if not has_app_context():  # no catalogue to key on: a new null one each call
        return {key: str(label) for key, label in STATUS_LABELS.items()}
    translations = get_domain().get_translations()
    try:
        return _status_labels[translations]
    except KeyError:
        labels = {key: str(label) for key, label in STATUS_LABELS.items()}
        _status_labels[translations] = labels
        return labels


def status_label(value) -> str:
    key = getattr(value, "value", value)
    return status_labels().get(key) or str(key)


MOVE_STATUS_LABELS = {
    "moving": _l("Moving"),
    "arrived": _l("Arrived"),
    "cancelled": _l("Cancelled"),
}


def move_status_label(value) -> str:
    key = getattr(value, "value", value)
    return str(MOVE_STATUS_LABELS.get(key, key))


def role_label(value) -> str:
    key = getattr(value, "value", value)
    return str(ROLE_LABELS.get(key, key))


SUBJECT_LABELS = {
    "mathematics": _l("Mathematics"),
    "english": _l("English language arts"),
    "social-studies": _l("Social studies"),
    "science": _l("Science"),
    "spanish": _l("Spanish"),
    "other": _l("Other"),
}


def subject_label(value: str) -> str:
    return str(SUBJECT_LABELS.get(value, value))


CREDIT_SYSTEM_LABELS = {
    "carnegie": _l("Carnegie units"),
    "california": _l("California semester credits"),
}


def credit_system_label(value: str) -> str:
    return str(CREDIT_SYSTEM_LABELS.get(value, value))


TERM_LABELS = {"spring": _l("Spring"), "summer": _l("Summer"), "fall": _l("Fall")}


def term_label(term: dict) -> str:
    """A school term such as {'season': 'fall', 'year': '2026'} as "Fall 2026"."""
    return f"{TERM_LABELS.get(term['season'], term['season'])} {term['year']}"
