"""Read a OneRoster 1.2 or 1.1 CSV set (a ZIP or a folder) into rows, checking the headers."""

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _

REQUIRED_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
OPTIONAL_FILES = (
    "manifest.csv",
    "roles.csv",
    "demographics.csv",
    "courses.csv",
    "academicSessions.csv",
)

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


MAX_MEMBERS = 1000  # a OneRoster set has at most a dozen files
MAX_RATIO = 100  # CSV compresses about 5-15 times; a ZIP bomb, thousands of times
RATIO_FLOOR = 1_000_000  # small files may compress far better; the ratio counts above this
DEFAULT_MAX_UNPACKED = 4_000_000_000  # the command's bound (a national set); the page's is lower
CHUNK = 1 << 20


class UnpackedTooLargeError(Exception):
    """A member unpacks to more than it declared or than the bound allows."""


def read_zip(data: bytes, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> RosterFiles:
    """Read the CSV files of a OneRoster ZIP (files may sit in one folder inside it).

    Refused before anything is unpacked: more than `max_unpacked` bytes declared in all, or a
    member declaring more than MAX_RATIO times its compressed size; bytes are also counted while
    unpacking, in case the headers lie.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return _refused(_("The file is not a ZIP archive."))
    if len(infos) > MAX_MEMBERS:
        return _refused(_("The ZIP archive holds too many files to be a OneRoster set."))
    members = {
        Path(i.filename).name: i
        for i in infos
        if Path(i.filename).name in REQUIRED_FILES + OPTIONAL_FILES
    }
    if sum(i.file_size for i in members.values()) > max_unpacked:
        return _refused(_too_large(max_unpacked))
    for info in members.values():
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return _refused(
                _(
                    "%(file)s unpacks to %(ratio)s times its packed size, which no roster does: "
                    "the ZIP archive is refused.",
                    file=Path(info.filename).name,
                    ratio=info.file_size // max(info.compress_size, 1),
                )
            )
    budget = [max_unpacked]
    try:
        return _read({n: (lambda i=i: _unpack(archive, i, budget)) for n, i in members.items()})
    except UnpackedTooLargeError:
        return _refused(_too_large(max_unpacked))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return _refused(_("The ZIP archive is damaged or uses a method Puente cannot read."))


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """The member's bytes, counted in chunks against its declared size and the whole budget."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            size += len(chunk)
            budget[0] -= len(chunk)
            if size > info.file_size or budget[0] < 0:
                raise UnpackedTooLargeError
            chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return _(
        "The ZIP archive unpacks to more than %(mb)s MB: import a set this large with the "
        "command flask rosters import.",
        mb=limit // 1_000_000,
    )


def _refused(message: str) -> RosterFiles:
    return RosterFiles(problems=[Problem("", None, None, message)])


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
        if (
            name not in sources
            and "delta" not in declared.values()
            and declared.get(name) != "absent"
        ):
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
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        problems.append(Problem(name, line, None, _("The file contains a NUL character.")))
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
        (i, h) for i, h in enumerate(header) if h in USED_COLUMNS[name] or h.startswith("metadata.")
    ]
    rows = []
    try:
        for values in reader:
            if not any(values):
                continue
            line = reader.line_num
            if len(values) != len(header):
                problems.append(
                    Problem(
                        name,
                        line,
                        None,
                        _(
                            "The row has %(found)s values; the header has %(expected)s.",
                            found=len(values),
                            expected=len(header),
                        ),
                    )
                )
                continue
            rows.append((line, {h: values[i].strip() for i, h in keep}))
            if len(rows) > MAX_ROWS:
                problems.append(Problem(name, line, None, _("The file has too many rows.")))
                break
    except csv.Error as error:
        problems.append(
            Problem(name, reader.line_num, None, _("Not valid CSV: %(reason)s", reason=str(error)))
        )
    return rows
