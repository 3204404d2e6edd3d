"""Read a OneRoster 1.2 or 1.1 CSV set (a ZIP or a folder) as streams of rows, checking the files."""

import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

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

# The columns each row carries (a national users.csv has 200,000+ rows); metadata.* columns too.
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


Row = tuple[int, dict[str, str]]  # (line number, the used columns' values)


@dataclass
class Layout:
    """What the check of a file found: its header's width and the used columns' positions."""

    width: int
    keep: list[tuple[int, str]]


@dataclass
class RosterFiles:
    """The files of a set, checked once as they were read and streamed again on each `get`.

    Only the header of each file is kept: a pass over a national users.csv holds one row at a
    time, so the set's size bounds the time of a pass, never its memory."""

    sources: dict[str, Callable[[], BinaryIO]] = field(default_factory=dict)
    layouts: dict[str, Layout] = field(default_factory=dict)  # files with rows that passed
    problems: list[Problem] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """The set holds the file (perhaps with a header only)."""
        return name in self.sources

    def get(self, name: str) -> Iterator[Row]:
        """The file's rows, read again from the file, one at a time."""
        layout = self.layouts.get(name)
        if layout is None:
            return
        names = [h for _i, h in layout.keep]
        pick = itemgetter(*(i for i, _h in layout.keep))
        if len(names) == 1:
            pick = (lambda one: lambda values: (one(values),))(pick)
        with self.sources[name]() as stream:
            reader = csv.reader(_lines(stream))
            try:
                next(reader, None)
                for values in reader:
                    if len(values) == layout.width and any(values):
                        yield (
                            reader.line_num,
                            dict(zip(names, map(str.strip, pick(values)), strict=True)),
                        )
            except csv.Error:
                return  # the check reported it; the rows before it are read as they were


MAX_MEMBERS = 1000  # a OneRoster set has at most a dozen files
MAX_RATIO = 100  # CSV compresses about 5-15 times; a ZIP bomb, thousands of times
RATIO_FLOOR = 1_000_000  # small files may compress far better; the ratio counts above this
DEFAULT_MAX_UNPACKED = 4_000_000_000  # the command's bound (a national set); the page's is lower
CHUNK = 1 << 20


class UnpackedTooLargeError(Exception):
    """A member unpacks to more than it declared or than the bound allows."""


class BadTextError(Exception):
    """A line that is not UTF-8 or holds a NUL character (`line` is its number)."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def read_zip(data: bytes, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> RosterFiles:
    """Read the CSV files of a OneRoster ZIP (files may sit in one folder inside it).

    Refused before anything is unpacked: more than `max_unpacked` bytes declared in all, or a
    member declaring more than MAX_RATIO times its compressed size; bytes are also counted while
    unpacking, in case the headers lie. Members are read as streams, never unpacked whole.
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
    sources = {n: (lambda i=i: _member(archive, i, budget)) for n, i in members.items()}

    def checked() -> None:
        # The check counted every byte against the budget; later passes count against each
        # member's declared size only.
        budget[0] = DEFAULT_MAX_UNPACKED * MAX_MEMBERS

    try:
        return _read(sources, checked)
    except UnpackedTooLargeError:
        return _refused(_too_large(max_unpacked))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        return _refused(_("The ZIP archive is damaged or uses a method Puente cannot read."))


class _CountedMember(io.RawIOBase):
    """A ZIP member's bytes, counted against its declared size and the whole set's budget."""

    def __init__(self, member, declared: int, budget: list[int]):
        self.member, self.declared, self.budget, self.size = member, declared, budget, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.member.read(len(buffer))
        self.size += len(chunk)
        self.budget[0] -= len(chunk)
        if self.size > self.declared or self.budget[0] < 0:
            raise UnpackedTooLargeError
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.member.close()
        super().close()


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> BinaryIO:
    return io.BufferedReader(_CountedMember(archive.open(info), info.file_size, budget), CHUNK)


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
    return _read({p.name: (lambda p=p: p.open("rb")) for p in path.iterdir() if p.is_file()})


def _read(sources: dict, checked: Callable[[], None] | None = None) -> RosterFiles:
    files = RosterFiles()
    for name in REQUIRED_FILES + OPTIONAL_FILES:
        if name in sources:
            files.sources[name] = sources[name]
            with sources[name]() as stream:
                layout = _check(name, stream, files.problems)
            if layout is not None:
                files.layouts[name] = layout
    if checked is not None:
        checked()
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


def _lines(stream: BinaryIO) -> Iterator[str]:
    """The stream's lines as text (split at \\n, as they are counted), without the UTF-8 BOM.

    :raises BadTextError: at the first line that is not UTF-8 or holds a NUL character.
    """
    for number, raw in enumerate(stream, 1):
        if b"\x00" in raw:
            raise BadTextError(number, _("The file contains a NUL character."))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadTextError(number, _("The file is not UTF-8 text.")) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _check(name: str, stream: BinaryIO, problems: list[Problem]) -> Layout | None:
    """Read the file once, row by row, for what makes it unreadable: not UTF-8, a NUL, no
    header, a missing column, a row of the wrong width, too many rows, broken CSV. Returns
    the layout rows are read with, or None when the file yields no rows."""
    reader = csv.reader(_lines(stream))
    found: list[Problem] = []
    header = None
    try:
        header = next(reader, None)
        if not header:
            problems.append(Problem(name, 1, None, _("The file has no header row.")))
            return None
        header = [h.strip() for h in header]
        missing = [c for c in REQUIRED_COLUMNS[name] if c not in header]
        if missing:
            if not any(any(values) for values in reader):
                return None  # a header and no rows: as good as absent, whatever its columns
            for column in missing:
                problems.append(Problem(name, 1, column, _("This required column is missing.")))
            return None
        rows = 0
        for values in reader:
            if not any(values):
                continue
            if len(values) != len(header):
                found.append(
                    Problem(
                        name,
                        reader.line_num,
                        None,
                        _(
                            "The row has %(found)s values; the header has %(expected)s.",
                            found=len(values),
                            expected=len(header),
                        ),
                    )
                )
                continue
            rows += 1
            if rows > MAX_ROWS:
                found.append(Problem(name, reader.line_num, None, _("The file has too many rows.")))
                break
    except BadTextError as error:
        problems.append(Problem(name, error.line, None, error.message))
        return None
    except csv.Error as error:
        found.append(
            Problem(name, reader.line_num, None, _("Not valid CSV: %(reason)s", reason=str(error)))
        )
        if header is None:
            problems.extend(found)
            return None
    problems.extend(found)
    keep = [
        (i, h) for i, h in enumerate(header) if h in USED_COLUMNS[name] or h.startswith("metadata.")
    ]
    return Layout(len(header), keep)
