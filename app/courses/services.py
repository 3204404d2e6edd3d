"""Import course packages (all-or-nothing, versions immutable) and find current versions."""

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from app.audit.services import record_event
from app.courses.archive import unpack_packages
from app.courses.models import Course, CourseVersion, Item, ItemKind, Lesson, Section, Unit
from app.courses.package import PackageError, PackageSpec, Problem, load_package, version_key
from app.courses.toml_source import TomlSource
from app.extensions import db


@dataclass
class Imported:
    """One package's import: its version row, and whether this import created it."""

    version: CourseVersion
    created: bool


def import_package(path: Path | str) -> CourseVersion:
    """Validate and import the package folder at `path`; writes are flushed, the caller commits.

    Importing the same code and version again with the same content changes nothing.

    :raises PackageError: when the package is invalid, or its version exists with other content.
    """
    spec = load_package(path)
    if problems := _conflicts(spec, Path(path)):
        raise PackageError(problems)
    return _write(spec).version


def import_packages(paths: list[Path | str]) -> list[Imported]:
    """Import several package folders: nothing is written unless every one may be imported.

    :raises PackageError: with every problem of every package, file names prefixed by folder.
    """
    problems: list[Problem] = []
    specs: dict[tuple[str, str], PackageSpec] = {}
    for path in map(Path, paths):
        try:
            spec = load_package(path)
        except PackageError as error:
            problems += [problem.in_folder(path) for problem in error.problems]
            continue
        found = _conflicts(spec, path)
        earlier = specs.setdefault((spec.code, spec.version), spec)
        if earlier.content_hash != spec.content_hash:
            found.append(
                _version_problem(
                    path,
                    _(
                        "another folder in this import is also %(code)s %(version)s, "
                        "with different content",
                        code=spec.code,
                        version=spec.version,
                    ),
                )
            )
        problems += [problem.in_folder(path) for problem in found]
    if problems:
        raise PackageError(problems)
    return [_write(spec) for spec in specs.values()]


def _version_problem(root: Path, message: str) -> Problem:
    return Problem("course.toml", TomlSource(root / "course.toml", "").line_of("version"), message)


def _conflicts(spec: PackageSpec, root: Path) -> list[Problem]:
    """A problem if this code and version are already imported with different content."""
    existing = _find_version(spec.code, spec.version)
    if existing is None or existing.content_hash == spec.content_hash:
        return []
    return [
        _version_problem(
            root,
            _(
                "version %(version)s of %(code)s is already imported with different content; "
                "raise the version",
                version=spec.version,
                code=spec.code,
            ),
        )
    ]


def _find_version(code: str, version: str) -> CourseVersion | None:
    return db.session.scalar(
        select(CourseVersion)
        .join(Course)
        .where(Course.code == code, CourseVersion.version == version)
    )


def _write(spec: PackageSpec) -> Imported:
    existing = _find_version(spec.code, spec.version)
    if existing is not None:
        return Imported(existing, created=False)
    course = db.session.scalar(select(Course).where(Course.code == spec.code))
    if course is None:
        course = Course(code=spec.code)
        db.session.add(course)
    version = _build_version(course, spec)
    db.session.add(version)
    db.session.flush()
    _mark_current(course)
    record_event(
        None,
        "course.imported",
        version,
        code=spec.code,
        version=spec.version,
        content_hash=spec.content_hash,
    )
    db.session.flush()
    return Imported(version, created=True)


def _build_version(course: Course, spec: PackageSpec) -> CourseVersion:
    version = CourseVersion(
        course=course,
        version=spec.version,
        subject=spec.subject,
        title_en=spec.title["en"],
        title_es=spec.title["es"],
        description_en=spec.description["en"],
        description_es=spec.description["es"],
        grade_levels=spec.grade_levels,
        credit=Decimal(str(spec.credit)),
        hours=spec.hours,
        unit_count=len(spec.units),
        content_hash=spec.content_hash,
        is_current=False,
    )
    for unit_spec in spec.units:
        unit = Unit(
            number=unit_spec.number,
            hours=unit_spec.hours,
            title_en=unit_spec.title["en"],
            title_es=unit_spec.title["es"],
        )
        version.units.append(unit)
        for position, lesson in enumerate(unit_spec.lessons, start=1):
            unit.lessons.append(
                Lesson(
                    position=position,
                    slug=lesson.slug,
                    title_en=lesson.title["en"],
                    title_es=lesson.title["es"],
                    body_en=lesson.body["en"],
                    body_es=lesson.body["es"],
                )
            )
        for position, item in enumerate(unit_spec.items, start=1):
            unit.items.append(
                Item(
                    section=Section(item.section),
                    key=item.key,
                    position=position,
                    kind=ItemKind(item.kind),
                    points=item.points,
                    prompt_en=item.prompt["en"],
                    prompt_es=item.prompt["es"],
                    choices=item.choices,
                    answer=item.answer,
                )
            )
    return version


def _mark_current(course: Course) -> None:
    """Make the semantically newest version current (1.10.0 beats 1.9.0), the others not."""
    versions = db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
    ).all()
    newest = max(versions, key=lambda v: version_key(v.version))
    for version in versions:
        version.is_current = version.id == newest.id


def current_versions() -> Select:
    """Select the current version of every course, by English title then code."""
    return (
        select(CourseVersion)
        .join(Course)
        .where(CourseVersion.is_current.is_(True))
        .options(selectinload(CourseVersion.course))
        .order_by(CourseVersion.title_en, Course.code)
    )


def get_current_version(course_code: str) -> CourseVersion | None:
    """The current version of the course with this code, or None."""
    return db.session.scalar(
        select(CourseVersion)
        .join(Course)
        .where(Course.code == course_code, CourseVersion.is_current.is_(True))
    )


def other_versions(version: CourseVersion) -> list[CourseVersion]:
    """The course's other versions, newest first."""
    versions = db.session.scalars(
        select(CourseVersion).where(
            CourseVersion.course_id == version.course_id, CourseVersion.id != version.id
        )
    ).all()
    return sorted(versions, key=lambda v: version_key(v.version), reverse=True)


def package_folders(root: Path | str) -> list[Path]:
    """Every package folder (one holding course.toml) directly under `root`."""
    return sorted(path.parent for path in Path(root).glob("*/course.toml"))


def import_uploaded_packages(data: bytes, by) -> list[Imported]:
    """Import the course packages of an uploaded ZIP: every one, or (on any problem) none.

    :raises PackageError: with every problem, files named as inside the archive.
    """
    with tempfile.TemporaryDirectory(prefix="puente-course-") as folder:
        root = Path(folder)
        try:
            results = import_packages(unpack_packages(data, root))
        except PackageError as error:
            raise PackageError([_inside(problem, root) for problem in error.problems]) from None
    for result in results:
        record_event(
            by,
            "course.uploaded",
            result.version,
            code=result.version.course.code,
            version=result.version.version,
            created=result.created,
        )
    return results


def _inside(problem: Problem, root: Path) -> Problem:
    """The problem with its file named relative to the archive, not the temporary folder."""
    path = Path(problem.file)
    if path.is_absolute() and path.is_relative_to(root):
        return Problem(path.relative_to(root).as_posix(), problem.line, problem.message)
    return problem


def every_course() -> Select:
    """Every course with all its versions (the view sorts them newest first), by code."""
    return select(Course).options(selectinload(Course.versions)).order_by(Course.code)
