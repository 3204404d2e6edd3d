"""`flask rosters import PATH --as EMAIL`: load a OneRoster CSV set (ZIP or folder)."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

rosters_cli = AppGroup("rosters", help="Import OneRoster 1.2 CSV rosters.")


@rosters_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--as", "email", required=True, help="The coordinator or administrator importing.")
def import_command(path: Path, email: str) -> None:
    """Import sites, students, classes and enrollments; nothing is written if any row is wrong."""
    from app.rosters.files import read_folder, read_zip
    from app.rosters.services import RosterError, import_roster
    from app.users.models import Role, User

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None or user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise click.ClickException(f"{email} is not a coordinator or administrator.")
    started = time.perf_counter()
    data = b"" if path.is_dir() else path.read_bytes()
    files = read_folder(path) if path.is_dir() else read_zip(data)
    try:
        record = import_roster(files, user, path.name, data)
    except RosterError as error:
        db.session.rollback()
        for problem in error.problems[:200]:
            click.echo(str(problem), err=True)
        more = len(error.problems) - 200
        raise click.ClickException(
            f"{len(error.problems)} problems; nothing was imported."
            + (f" ({more} more not shown)" if more > 0 else "")
        ) from None
    db.session.commit()
    seconds = time.perf_counter() - started
    counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in record.counts.items())
    click.echo(f"Imported in {seconds:.1f} s. {counts}")
