"""Check a transfer package before anything is written: JSON, strict schema, sane values, signature.

Every problem names the field and the reason in the user's language.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from jsonschema import Draft202012Validator, ValidationError

from app.certificates.keys import public_key_named
from app.certificates.signing import (
    verify_document,
)
from app.installation import issuer_id, key_name_of
from app.safe_json import MAX_DEPTH, depth_of
from app.transfers.peer_keys import trusted_issuer, trusted_public_key

SCHEMA_FILE = Path(__file__).with_name("transfer-package.schema.json")
MAX_PACKAGE_BYTES = 5_000_000
EARLIEST_RECORD = date(2000, 1, 1)  # no Puente record is older
EARLIEST_BIRTH = date(1980, 1, 1)
DATE_FIELDS = {"birth_date", "target_date"}
DATETIME_FIELDS = {
    "exported_at",
    "assigned_at",
    "started_at",
    "completed_at",
    "submitted_at",
    "graded_at",
    "awarded_at",
    "created",
}

TOO_DEEP = object()  # json.loads gave up on the nesting

TYPE_NAMES = {
    "string": _l("text"),
    "number": _l("a number"),
    "integer": _l("a whole number"),
    "boolean": _l("true or false"),
    "object": _l("an object"),
    "array": _l("a list"),
    "null": _l("empty"),
}


@dataclass
class PackageCheck:
    package: dict | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def schema_validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))


def check_package(raw: bytes) -> PackageCheck:
    """Parse, validate against the strict schema, check dates and the signature.

    :returns: the package and every problem found (none: it may be imported).
    """
    if len(raw) > MAX_PACKAGE_BYTES:
        return PackageCheck(None, [_("The file is too large (5 MB at most).")])
    try:
        package = json.loads(raw)
    except UnicodeDecodeError:
        return PackageCheck(
            None, [_("The file is not text in UTF-8: it is not a transfer package.")]
        )
    except json.JSONDecodeError as error:
        return PackageCheck(
            None,
            [
                _(
                    "The file is not JSON (line %(line)s, column %(column)s).",
                    line=error.lineno,
                    column=error.colno,
                )
            ],
        )
    except RecursionError:
        package = TOO_DEEP
    except ValueError:  # a number longer than Python reads, say
        return PackageCheck(None, [_("The file is not JSON.")])
    if package is TOO_DEEP or depth_of(package) > MAX_DEPTH:
        return PackageCheck(None, [_("The file is nested too deeply to be a transfer package.")])
    if b"\\u0000" in raw:
        return PackageCheck(None, [_("The file contains a NUL character, which is not allowed.")])
    if not isinstance(package, dict) or package.get("format") != "puente-transfer":
        return PackageCheck(None, [_("The file is not a Puente transfer package.")])
    errors = sorted(schema_validator().iter_errors(package), key=lambda e: list(e.absolute_path))
    problems = [schema_problem(error) for error in errors]
    if not problems:
        problems = date_problems(package)
    if problems:
        return PackageCheck(package, problems)
    key = trusted_key(package["issuer"], package["proof"]["verificationMethod"])
    if key is None:
        problems.append(
            _(
                "The package was signed by %(issuer)s, which this installation does not trust yet.",
                issuer=package["issuer"],
            )
        )
    elif not verify_document(package, key):
        problems.append(
            _("The signature does not match: the package was changed after it was signed.")
        )
    return PackageCheck(package, problems)


def _where(path) -> str:
    return "/".join(str(p) for p in path) or _("(package)")


def _shown(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def schema_problem(error: ValidationError) -> str:
    """One schema error as a translated sentence naming the field."""
    where, kind, value = _where(error.absolute_path), error.validator, error.instance
    if kind == "required":
        missing = next(n for n in error.validator_value if n not in error.instance)
        return _("%(where)s: the field “%(field)s” is missing.", where=where, field=missing)
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = ", ".join(sorted(k for k in error.instance if k not in allowed))
        return _(
            "%(where)s: “%(field)s” is not a field of a transfer package.", where=where, field=extra
        )
    if kind == "type":
        wanted = error.validator_value
        names = [
            str(TYPE_NAMES.get(t, t)) for t in ([wanted] if isinstance(wanted, str) else wanted)
        ]
        return _(
            "%(where)s: must be %(type)s, not %(value)s.",
            where=where,
            type=_(" or ").join(names),
            value=_shown(value),
        )
    if kind in ("minimum", "exclusiveMinimum"):
        return _(
            "%(where)s: %(value)s is below the lowest allowed value, %(limit)s.",
            where=where,
            value=_shown(value),
            limit=error.validator_value,
        )
    if kind in ("maximum", "exclusiveMaximum"):
        return _(
            "%(where)s: %(value)s is above the highest allowed value, %(limit)s.",
            where=where,
            value=_shown(value),
            limit=error.validator_value,
        )
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        return _(
            "%(where)s: %(value)s is not allowed here (allowed: %(allowed)s).",
            where=where,
            value=_shown(value),
            allowed=", ".join(_shown(a) for a in allowed),
        )
    if kind == "pattern":
        return _(
            "%(where)s: %(value)s is not in the expected format.", where=where, value=_shown(value)
        )
    if kind == "minLength":
        return _("%(where)s: must not be empty.", where=where)
    if kind == "maxLength":
        return _(
            "%(where)s: too long (%(limit)s characters at most).",
            where=where,
            limit=error.validator_value,
        )
    if kind == "maxItems":
        return _(
            "%(where)s: too many entries (%(limit)s at most).",
            where=where,
            limit=error.validator_value,
        )
    return _("%(where)s: this value is not allowed here.", where=where)


def date_problems(package: dict) -> list[str]:
    """Dates a schema cannot check: real calendar dates, none before 2000 (birth dates: 1980)
    and none in the future (target dates: up to three years ahead)."""
    now = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)
    problems = []
    for path, key, value in _walk(package, ()):
        if value is None or not isinstance(value, str):
            continue
        if key in DATE_FIELDS:
            try:
                day = date.fromisoformat(value)
            except ValueError:
                problems.append(
                    _(
                        "%(where)s: %(value)s is not a date.",
                        where=_where(path),
                        value=_shown(value),
                    )
                )
                continue
            if key == "target_date":
                if not EARLIEST_RECORD <= day <= now.date() + timedelta(days=3 * 366):
                    problems.append(
                        _(
                            "%(where)s: %(value)s is not a possible target date.",
                            where=_where(path),
                            value=_shown(value),
                        )
                    )
            elif not EARLIEST_BIRTH <= day <= now.date():
                problems.append(
                    _(
                        "%(where)s: %(value)s is not a possible date of birth.",
                        where=_where(path),
                        value=_shown(value),
                    )
                )
        elif key in DATETIME_FIELDS:
            moment = parse_datetime(value)
            if moment is None:
                problems.append(
                    _(
                        "%(where)s: %(value)s is not a date and time.",
                        where=_where(path),
                        value=_shown(value),
                    )
                )
            elif not datetime.combine(EARLIEST_RECORD, datetime.min.time()) <= moment <= now:
                problems.append(
                    _(
                        "%(where)s: %(value)s is outside the possible dates "
                        "(from 2000 until today).",
                        where=_where(path),
                        value=_shown(value),
                    )
                )
    return problems


def _walk(node, path):
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key), key, value
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def parse_datetime(text: str) -> datetime | None:
    """A package timestamp as naive UTC, or None when it is not a real date and time."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def trusted_key(issuer: str, method: str):
    """The public key for packages from `issuer`: this installation's own, or a trusted one."""
    if issuer == issuer_id():
        name = key_name_of(issuer, method)
        return public_key_named(name) if name else None
    row = trusted_issuer(issuer)
    return trusted_public_key(row, method) if row is not None else None
