"""Read a OneRoster 1.2 or 1.1 CSV set (a ZIP or a folder) into rows, checking the headers."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

REQUIRED_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
OPTIONAL_FILES = (
    "manifest.csv", "roles.csv", "demographics.csv", "courses.csv", "academicSessions.csv",
)  # fmt: skip

# The columns Puente reads; a file without one of these is refused.
REQUIRED_COLUMNS = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "users.csv": ("sourcedId", "givenName", "familyName"),
    "classes.csv": ("sourcedId", "title", "schoolSourcedId"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "roles.csv": ("userSourcedId", "role", "orgSourcedId"),
    "demographics.csv": ("sourcedId", "birthDate"),
    "manifest.csv": ("propertyName", "value"),
    "courses.csv": ("sourcedId", "title"),
    "academicSessions.csv": ("sourcedId",),
}

# Columns kept in memory (a national users.csv has 200,000+ rows); metadata.* columns are kept too.
USED_COLUMNS = {
    "orgs.csv": {"sourcedId", "status", "name", "type", "identifier", "parentSourcedId"},
    "users.csv": {
        "sourcedId",
        "status",
        "givenName",
        "familyName",
        "userIds",
        "identifier",
        "email",
        "username",
        "grades",
        "primaryOrgSourcedId",
        "preferredFamilyName",
        "role",
        "orgSourcedIds",
    },
    "classes.csv": {
        "sourcedId",
        "status",
        "title",
        "courseSourcedId",
        "classCode",
        "schoolSourcedId",
    },
    "enrollments.csv": {
        "sourcedId",
        "status",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    },
    "roles.csv": {"status", "userSourcedId", "roleType", "role", "orgSourcedId"},
    "demographics.csv": {"sourcedId", "status", "birthDate", "sex"},
    "manifest.csv": {"propertyName", "value"},
    "courses.csv": {"sourcedId", "status", "title", "courseCode", "orgSourcedId"},
    "academicSessions.csv": {"sourcedId", "status", "title", "type"},
}

MAX_ROWS = 2_000_000  # per file: a bound on memory, far above a national roster


@dataclass(frozen=True)
class Problem:
    """One reason the roster cannot be imported, pointing at a file, line and field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file,
                _("line %(line)s", line=self.line) if self.line else "",
                self.field or "",
            )
            if part
        )
        return f"{where}: {self.message}"


@dataclass
class RosterFiles:
    """The rows of each file present, as (line number, row) pairs."""

    rows: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, name: str) -> list[tuple[int, dict[str, str]]]:
        return self.rows.get(name, [])


def read_zip(data: bytes) -> RosterFiles:
    """Read the CSV files of a OneRoster ZIP (files may sit in one folder inside it)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return RosterFiles(problems=[Problem("", None, None, _("The file is not a ZIP archive."))])
    members = {Path(n).name: n for n in archive.namelist() if not n.endswith("/")}
    return _read({name: (lambda n=members[name]: archive.read(n)) for name in members})


def read_folder(path: Path) -> RosterFiles:
    """Read the CSV files of a OneRoster set unpacked in a folder."""
    return _read({p.name: p.read_bytes for p in path.iterdir() if p.is_file()})


def _read(sources: dict) -> RosterFiles:
    files = RosterFiles()
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        if name in sources:
            files.rows[name] = _parse(name, sources[name](), files.problems)
    declared = _declared_modes(files.get("manifest.csv"))
    for name in REQUIRED_FILES:
        # A delta set carries only what changed; a manifest may also declare a file absent.
        if name not in sources and "delta" not in declared.values() and declared.get(name) != "absent":  # fmt: skip
            files.problems.append(Problem(name, None, None, _("The file is missing.")))
    return files


def _declared_modes(manifest_rows) -> dict[str, str]:
    """manifest.csv's file.X rows: {"X.csv": "bulk" / "delta" / "absent"}."""
    return {
        row["propertyName"].removeprefix("file.") + ".csv": row["value"]
        for _line, row in manifest_rows
        if row["propertyName"].startswith("file.")
    }


def _parse(name: str, data: bytes, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, _("The file is not UTF-8 text.")))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        problems.append(Problem(name, 1, None, _("The file has no header row.")))
        return []
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
    if missing and not any(any(values) for values in reader):
        return []  # a header and no rows: as good as absent, whatever its columns
    for column in missing:
        problems.append(Problem(name, 1, column, _("This required column is missing.")))
    if missing:
        return []
    keep = [
        (i, h) for i, h in enumerate(header)
        if h in USED_COLUMNS[name] or h.startswith("metadata.")
    ]  # fmt: skip
    rows = []
    try:
        for values in reader:
            if not any(values):
                continue
            line = reader.line_num
            if len(values) != len(header):
                problems.append(Problem(name, line, None, _(
                    "The row has %(found)s values; the header has %(expected)s.",
                    found=len(values), expected=len(header))))  # fmt: skip
                continue
            rows.append((line, {h: values[i].strip() for i, h in keep}))
            if len(rows) > MAX_ROWS:
                problems.append(Problem(name, line, None, _("The file has too many rows.")))
                break
    except csv.Error as error:
        problems.append(Problem(name, reader.line_num, None, _("Not valid CSV: %(reason)s",
                                                              reason=str(error))))  # fmt: skip
    return rows
