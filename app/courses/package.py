"""Read and validate a course package folder (see courses/README.md) into plain dataclasses."""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.courses.overlap import Place, given_away
from app.courses.package_fields import ID_RE, LANGS, Problem, Reader, Table

__all__ = ["PackageError", "PackageSpec", "Problem", "load_package", "version_key"]

FORMAT = 1
SUBJECTS = ("mathematics", "english", "social-studies", "science", "spanish", "other")
CODE_RE = re.compile(r"^[A-Z0-9-]{2,32}$")
VERSION_RE = re.compile(r"^(\d{1,5})\.(\d{1,5})\.(\d{1,5})$")
ITEM_TYPES = ("choice", "numeric", "open")
TITLE_MAX = 200  # the title columns' length
MAX_CREDIT = 2  # Carnegie units a course may carry (course_version's check, two decimals)


class PackageError(Exception):
    """A package is not valid (or may not be imported); `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ItemSpec:
    section: str  # practice | test
    key: str
    kind: str  # choice | numeric | open
    points: float
    prompt: dict[str, str]
    choices: list[dict[str, str]] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class LessonSpec:
    slug: str
    title: dict[str, str]
    body: dict[str, str]


@dataclass
class UnitSpec:
    number: int
    hours: int
    title: dict[str, str]
    lessons: list[LessonSpec]
    items: list[ItemSpec]


@dataclass
class PackageSpec:
    code: str
    version: str
    subject: str
    grade_levels: str
    credit: float
    hours: int
    title: dict[str, str]
    description: dict[str, str]
    units: list[UnitSpec]
    content_hash: str

    def summary(self) -> str:
        lessons = sum(len(unit.lessons) for unit in self.units)
        items = sum(len(unit.items) for unit in self.units)
        return (
            f"{self.code} {self.version}: {len(self.units)} units, {lessons} lessons, {items} items"
        )


def _credit(manifest: Table) -> float:
    """The course's Carnegie units: more than 0, at most MAX_CREDIT, at most two decimals."""
    credit = manifest.number("credit", positive=True)
    if credit and (credit > MAX_CREDIT or credit != round(credit, 2)):
        manifest.problem(
            ("credit",),
            _(
                "credit must be at most %(max)s Carnegie units with at most 2 decimals, "
                "not %(value)s",
                max=MAX_CREDIT,
                value=repr(credit),
            ),
        )
    return credit or 0.0


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key for MAJOR.MINOR.PATCH versions (1.10.0 sorts after 1.9.0)."""
    match = VERSION_RE.match(version)
    return (int(match[1]), int(match[2]), int(match[3])) if match else (-1, -1, -1)


def content_hash(root: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    for name, path in files:
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def load_package(root: Path | str) -> PackageSpec:
    """Read and validate the package folder at `root`.

    :raises PackageError: listing every problem found, each with file and line.
    """
    root = Path(root)
    if not root.is_dir():
        raise PackageError(
            [Problem("course.toml", 1, _("%(root)s is not a package folder", root=root))]
        )
    reader = Reader(root)
    spec = _read_manifest(reader)
    if reader.problems or spec is None:
        files: dict[str, int] = {}
        for problem in reader.problems:
            files.setdefault(problem.file, len(files))
        raise PackageError(sorted(reader.problems, key=lambda p: (files[p.file], p.line)))
    return spec


def _read_manifest(reader: Reader) -> PackageSpec | None:
    manifest = reader.open("course.toml")
    if manifest is None:
        return None
    fmt = manifest.data.get("format")
    if type(fmt) is not int or fmt != FORMAT:
        manifest.problem(
            ("format",),
            _("format must be %(format)s, not %(value)s", format=FORMAT, value=repr(fmt)),
        )
    code = manifest.text("code")
    if code and not CODE_RE.match(code):
        manifest.problem(
            ("code",), _("code '%(code)s' must be 2 to 32 of A-Z, 0-9 and '-'", code=code)
        )
    version = manifest.text("version")
    if version and not VERSION_RE.match(version):
        manifest.problem(
            ("version",),
            _("version '%(version)s' must be MAJOR.MINOR.PATCH like 1.0.0", version=version),
        )
    subject = manifest.text("subject")
    if subject and subject not in SUBJECTS:
        manifest.problem(
            ("subject",),
            _(
                "subject '%(subject)s' must be one of %(subjects)s",
                subject=subject,
                subjects=", ".join(SUBJECTS),
            ),
        )
    spec = PackageSpec(
        code=code,
        version=version,
        subject=subject,
        grade_levels=manifest.text("grade_levels", max_length=20),
        credit=_credit(manifest),
        hours=int(manifest.number("hours", positive=True, whole=True) or 0),
        title=manifest.bilingual("title", max_length=TITLE_MAX),
        description=manifest.bilingual("description"),
        units=[],
        content_hash=content_hash(reader.root),
    )
    for position, folder in enumerate(_unit_folders(reader, manifest), start=1):
        if folder is not None and (unit := _read_unit(reader, folder, position)):
            spec.units.append(unit)
    return spec


def _unit_folders(reader: Reader, manifest: Table) -> list[str | None]:
    """The manifest's unit folders in order; None stands for one that cannot be read."""
    folders = manifest.data.get("units")
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        manifest.problem(("units",), _('units must list the unit folders, e.g. ["1", "2", "3"]'))
        return []
    if not 3 <= len(folders) <= 10:
        manifest.problem(
            ("units",),
            _("a course has 3 to 10 units; this one lists %(count)s", count=len(folders)),
        )
    result: list[str | None] = []
    for folder in folders:
        if not ID_RE.match(folder):
            manifest.problem(
                ("units",),
                _("unit folder '%(folder)s' may use only A-Z, 0-9, - and _", folder=folder),
            )
        elif folder in result:
            manifest.problem(
                ("units",), _("unit folder '%(folder)s' is listed twice", folder=folder)
            )
        elif not (reader.root / "units" / folder / "unit.toml").is_file():
            manifest.problem(("units",), _("units/%(folder)s/unit.toml is missing", folder=folder))
        else:
            result.append(folder)
            continue
        result.append(None)
    return result


def _read_unit(reader: Reader, folder: str, position: int) -> UnitSpec | None:
    unit = reader.open(f"units/{folder}/unit.toml")
    if unit is None:
        return None
    number = unit.data.get("number")
    if type(number) is not int or number != position:
        unit.problem(
            ("number",),
            _(
                "unit number must be %(position)s (its place in course.toml's units), not %(value)s",
                position=position,
                value=repr(number),
            ),
        )
    spec = UnitSpec(
        number=position,
        hours=int(unit.number("hours", positive=True, whole=True) or 0),
        title=unit.bilingual("title", max_length=TITLE_MAX),
        lessons=_read_lessons(reader, unit, folder),
        items=_read_items(unit, "practice") + _read_items(unit, "test"),
    )
    if unit.tables("practice") == []:
        unit.problem(("practice",), _("the unit needs at least one [[practice]] item"))
    _check_test(unit)
    _check_given_away(reader, unit, folder, spec)
    return spec


def _check_given_away(reader: Reader, unit: Table, folder: str, spec: UnitSpec) -> None:
    """A practice item or a lesson line that repeats a unit-test item is a problem."""
    tests = [(item.key, item.prompt) for item in spec.items if item.section == "test"]
    practice = [
        (
            Place(
                unit.source.name,
                entry.line_of("prompt"),
                _("%(section)s item '%(key)s'", section="practice", key=entry.data.get("id")),
            ),
            item.prompt,
        )
        for entry, item in zip(
            unit.tables("practice") or [],
            (i for i in spec.items if i.section == "practice"),
            strict=False,
        )
    ]
    lesson_lines = [
        (
            Place(
                f"units/{folder}/{lesson.slug}.{lang}.md",
                number,
                _("lesson '%(name)s'", name=lesson.slug) + f" ({lang})",
            ),
            lang,
            line,
        )
        for lesson in spec.lessons
        for lang in LANGS
        for number, line in enumerate(lesson.body[lang].splitlines(), start=1)
    ]
    for place, message in given_away(tests, practice, lesson_lines):
        reader.add(place.file, place.line, message)


def _check_test(unit: Table) -> None:
    tests = unit.tables("test")
    if tests is None:
        return
    if not tests:
        unit.problem(("test",), _("the unit has no test: add at least 3 [[test]] items"))
        return
    kinds = {entry.data.get("type") for entry in tests}
    if len(tests) < 3:
        unit.problem(
            ("test",), _("the unit test has %(count)s items; it needs at least 3", count=len(tests))
        )
    if not kinds & {"choice", "numeric"}:
        unit.problem(("test",), _("the unit test needs at least one choice or numeric item"))
    if "open" not in kinds:
        unit.problem(("test",), _("the unit test needs at least one open item"))


def _read_lessons(reader: Reader, unit: Table, folder: str) -> list[LessonSpec]:
    entries = unit.tables("lessons")
    if entries == []:
        unit.problem(("lessons",), _("the unit needs at least one [[lessons]] entry"))
    lessons: list[LessonSpec] = []
    for index, entry in enumerate(entries or [], start=1):
        entry.label = _("lesson %(number)s", number=index)
        name = entry.data.get("file")
        if not isinstance(name, str) or not ID_RE.match(name):
            entry.problem(
                ("file",),
                _(
                    "file must name the lesson, e.g. '1-1-variables', not %(value)s",
                    value=repr(name),
                ),
            )
            continue
        entry.label = _("lesson '%(name)s'", name=name)
        if any(lesson.slug == name for lesson in lessons):
            entry.problem(("file",), _("is listed twice in this unit"))
        title = entry.bilingual("title", max_length=TITLE_MAX)
        body = {lang: reader.markdown(entry, f"units/{folder}/{name}.{lang}.md") for lang in LANGS}
        lessons.append(LessonSpec(slug=name, title=title, body=body))
    return lessons


def _read_items(unit: Table, section: str) -> list[ItemSpec]:
    items: list[ItemSpec] = []
    first_line: dict[str, int] = {}
    for index, entry in enumerate(unit.tables(section) or [], start=1):
        entry.label = _("%(section)s item %(number)s", section=section, number=index)
        key = entry.data.get("id")
        if not isinstance(key, str) or not ID_RE.match(key):
            entry.problem(
                ("id",),
                _("id must be 1-40 letters, digits, - or _, not %(value)s", value=repr(key)),
            )
            key = ""
        else:
            entry.label = _("%(section)s item '%(key)s'", section=section, key=key)
            if key in first_line:
                entry.problem(
                    ("id",),
                    _(
                        "id '%(key)s' is already used at line %(line)s; ids are unique",
                        key=key,
                        line=first_line[key],
                    ),
                )
            first_line.setdefault(key, entry.line_of("id"))
        if item := _read_item(entry, section, key):
            items.append(item)
    return items


def _read_item(entry: Table, section: str, key: str) -> ItemSpec | None:
    kind = entry.data.get("type")
    if kind not in ITEM_TYPES:
        entry.problem(
            ("type",), _("type must be choice, numeric or open, not %(value)s", value=repr(kind))
        )
        return None
    item = ItemSpec(
        section=section,
        key=key,
        kind=kind,
        points=entry.number("points", default=1, positive=True) or 1.0,
        prompt=entry.bilingual("prompt"),
    )
    if kind == "choice":
        item.choices = _read_choices(entry)
        answer = entry.data.get("answer")
        ids = [choice["id"] for choice in item.choices]
        if answer is None:
            entry.problem(("answer",), _("answer is missing: give the id of the right choice"))
        elif ids and answer not in ids:
            entry.problem(
                ("answer",),
                _(
                    "answer %(value)s is not one of the choices %(choices)s",
                    value=repr(answer),
                    choices=", ".join(ids),
                ),
            )
        item.answer = {"choice": answer}
    elif kind == "numeric":
        value = entry.number("answer")
        tolerance = entry.number("tolerance", default=0, minimum=0)
        item.answer = {"value": value, "tolerance": tolerance or 0}
    else:
        rubric = entry.bilingual("rubric")
        item.answer = {"rubric_en": rubric["en"], "rubric_es": rubric["es"]}
    return item


def _read_choices(entry: Table) -> list[dict[str, str]]:
    choices = entry.data.get("choices")
    if not isinstance(choices, list):
        entry.problem(
            ("choices",), _("a choice item needs choices = [{ id = ..., en = ..., es = ... }]")
        )
        return []
    if not 2 <= len(choices) <= 6:
        entry.problem(
            ("choices",), _("has %(count)s choices; a choice item needs 2 to 6", count=len(choices))
        )
    result: list[dict[str, str]] = []
    for index, choice in enumerate(choices):
        line = entry.choice_line(index)
        cid = choice.get("id") if isinstance(choice, dict) else None
        if not isinstance(cid, str) or not ID_RE.match(cid):
            entry.problem_at(
                line, _("choice %(number)s needs an id of letters or digits", number=index + 1)
            )
            continue
        if any(other["id"] == cid for other in result):
            entry.problem_at(line, _("choice id '%(id)s' is used twice", id=cid))
            continue
        texts = {}
        for lang in LANGS:
            text = choice.get(lang)
            if not isinstance(text, str) or not text.strip():
                entry.problem_at(line, _("choice '%(id)s' has no %(lang)s text", id=cid, lang=lang))
            texts[lang] = text.strip() if isinstance(text, str) else ""
        result.append({"id": cid, **texts})
    return result
