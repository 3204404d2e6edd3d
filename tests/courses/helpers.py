"""Helpers for course package tests: broken copies of the mini package, problem lookup."""

import shutil
from pathlib import Path

from sqlalchemy import func, select

from app.courses.models import Course, CourseVersion, Item
from app.courses.package import PackageError, Problem
from app.courses.services import import_package
from app.extensions import db

MINI = Path(__file__).resolve().parent.parent / "data" / "mini-course"


def copy_mini(tmp_path: Path, name: str = "mini") -> Path:
    """A fresh copy of tests/data/mini-course that a test may break."""
    return Path(shutil.copytree(MINI, tmp_path / name))


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in `path` with `new` (`old` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The 1-based line of the `nth` line of `path` that contains `text`."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line]
    assert len(hits) >= nth, f"{text!r} occurs {len(hits)} times in {path}"
    return hits[nth - 1]


def bump_version(package: Path, version: str) -> None:
    edit(package / "course.toml", 'version = "1.0.0"', f'version = "{version}"')


def row_counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, CourseVersion, Item)
    )


def import_problems(package: Path) -> list[Problem]:
    """Import a package that must be refused; check nothing was written; return the problems."""
    before = row_counts()
    try:
        import_package(package)
    except PackageError as error:
        problems = error.problems
    else:
        raise AssertionError(f"{package} was imported, but it is broken")
    assert row_counts() == before, "a refused import wrote to the database"
    assert problems
    return problems


def assert_problem(problems: list[Problem], file: str, line: int, *fragments: str) -> Problem:
    """The problem at `file`:`line` whose message holds every fragment (else a clear failure)."""
    for problem in problems:
        if (problem.file, problem.line) == (file, line) and all(
            fragment in problem.message for fragment in fragments
        ):
            return problem
    listing = "\n".join(map(str, problems))
    raise AssertionError(f"no problem {file}:{line} with {fragments!r} among:\n{listing}")


def zip_packages(*folders: Path, nested: bool = True) -> bytes:
    """A ZIP of package folders: each under its own name (nested), or one at the top."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    inside = path.relative_to(folder.parent if nested else folder)
                    archive.write(path, inside.as_posix())
    return buffer.getvalue()
