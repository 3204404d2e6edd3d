"""`flask courses validate|import`: check and load course packages."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.courses.package import PackageError, Problem, load_package
from app.courses.services import import_packages, package_folders
from app.extensions import db

courses_cli = AppGroup("courses", help="Validate and import course packages.")

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
all_option = click.option(
    "--all", "every", is_flag=True, help="Every package folder under COURSES_DIR."
)


def _folders(paths: tuple[Path, ...], every: bool) -> list[Path]:
    folders = list(paths)
    if every:
        folders += package_folders(current_app.config["COURSES_DIR"])
    if not folders:
        raise click.UsageError("Name at least one package folder, or use --all.")
    return list(dict.fromkeys(folders))


def _echo_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(problems)} problem(s) found.", err=True)


@courses_cli.command("validate")
@paths_argument
@all_option
def validate_command(paths: tuple[Path, ...], every: bool) -> None:
    """Check packages; print every problem as file:line: message."""
    problems: list[Problem] = []
    for folder in _folders(paths, every):
        try:
            spec = load_package(folder)
        except PackageError as error:
            problems += [problem.in_folder(folder) for problem in error.problems]
            continue
        click.echo(f"{spec.summary()} — OK")
    if problems:
        _echo_problems(problems)
        raise SystemExit(1)


@courses_cli.command("import")
@paths_argument
@all_option
def import_command(paths: tuple[Path, ...], every: bool) -> None:
    """Import packages: nothing is imported unless every package is valid."""
    try:
        results = import_packages(_folders(paths, every))
    except PackageError as error:
        _echo_problems(error.problems)
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(1) from error
    db.session.commit()
    for result in results:
        version = result.version
        state = "imported" if result.created else "already imported, unchanged"
        current = "current" if version.is_current else "not current: a newer version exists"
        click.echo(f"{version.course.code} {version.version}: {state} ({current}).")
