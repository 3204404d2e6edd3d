"""Student identity formats in one place: MSIX ID, CURP, state student ID and date of birth.

Used by the add and edit forms (WTForms validators) and by the services (the rule of record).
"""

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.students.models import Student

MSIX_PATTERN = r"^\d{12}$"  # US Migrant Student Information Exchange: 12 digits
# Mexico's CURP: 4 letters, birth date YYMMDD, sex H/M/X, 2-letter state of birth, 3 consonants,
# a letter or digit (century), a check digit.
CURP_PATTERN = r"^[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d$"
MSIX_RE = re.compile(MSIX_PATTERN)
CURP_RE = re.compile(CURP_PATTERN)
# A state of the US or Mexico, ISO 3166-2: US-TX, MX-MIC
STATE_CODE_PATTERN = r"^(US-[A-Z]{2}|MX-[A-Z]{3})$"
STATE_CODE_RE = re.compile(STATE_CODE_PATTERN)
STATE_ID_MAX = 40
# Puente serves secondary students and out-of-school youth (up to 21); records are kept a while.
MIN_AGE_YEARS, MAX_AGE_YEARS = 3, 30

MSIX_MESSAGE = _l("The MSIX ID must be 12 digits.")
CURP_MESSAGE = _l("The CURP must have 18 characters in the official format.")


class IdentifierError(ValueError):
    """An identifier is malformed or already belongs to another student."""


def clean(text: str | None, *, upper: bool = False) -> str | None:
    """Stripped text (uppercased for CURPs), or None when empty."""
    text = (text or "").strip()
    return (text.upper() if upper else text) or None


def upper_filter(value):
    """A WTForms filter: strip and uppercase (CURP)."""
    return clean(value, upper=True) if isinstance(value, str) else value


def _taken(column, value: str, student_id: int | None) -> bool:
    stmt = select(Student.id).where(column == value)
    if student_id is not None:
        stmt = stmt.where(Student.id != student_id)
    return db.session.scalar(stmt) is not None


def check_identifiers(
    msix_id: str | None, curp: str | None, state_student_id: str | None, *, student_id=None
) -> tuple[str | None, str | None, str | None]:
    """The cleaned (msix_id, curp, state_student_id), unique among other students.

    :param student_id: the student being edited (its own identifiers are not "taken").
    :raises IdentifierError: naming the identifier and why.
    """
    msix_id, curp = clean(msix_id), clean(curp, upper=True)
    state_student_id = clean(state_student_id)
    if msix_id and not MSIX_RE.match(msix_id):
        raise IdentifierError(str(MSIX_MESSAGE))
    if curp and not CURP_RE.match(curp):
        raise IdentifierError(str(CURP_MESSAGE))
    if state_student_id and len(state_student_id) > STATE_ID_MAX:
        raise IdentifierError(
            _("The state student ID can have at most %(n)s characters.", n=STATE_ID_MAX)
        )
    if msix_id and _taken(Student.msix_id, msix_id, student_id):
        raise IdentifierError(_("Another student already has this MSIX ID."))
    if curp and _taken(Student.curp, curp, student_id):
        raise IdentifierError(_("Another student already has this CURP."))
    return msix_id, curp, state_student_id


def birth_date_range(today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates of birth Puente accepts."""
    today = today or date.today()

    def years_ago(years: int) -> date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    return years_ago(MAX_AGE_YEARS), years_ago(MIN_AGE_YEARS)


def check_birth_date(birth: date | None) -> date | None:
    """The date of birth when it is in Puente's range.

    :raises IdentifierError: in the future, or too long ago / too recent for a student.
    """
    if birth is None:
        return None
    if birth > date.today():
        raise IdentifierError(_("The date of birth cannot be in the future."))
    earliest, latest = birth_date_range()
    if not earliest <= birth <= latest:
        message = _(
            "The date of birth must be between %(earliest)s and %(latest)s.",
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
        )
        raise IdentifierError(message)
    return birth
