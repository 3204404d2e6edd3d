"""`flask rosters import PATH --as EMAIL` loads a OneRoster CSV set (ZIP or folder);
`flask rosters export ZIP --as EMAIL --state US-TX` writes one."""

import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

rosters_cli = AppGroup("rosters", help="Import and export OneRoster 1.2 / 1.1 CSV rosters.")


@rosters_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--as", "email", required=True, help="The coordinator or administrator importing.")
@click.option(
    "--state",
    "state_code",
    default="",
    help="ISO 3166-2 state (US-TX) of schools the set does not place.",
)
def import_command(path: Path, email: str, state_code: str) -> None:
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
        record = import_roster(files, user, path.name, data, state_code.strip().upper())
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


@rosters_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="The coordinator or administrator exporting.")
@click.option("--state", "state_code", required=True, help="ISO 3166-2 state, e.g. US-TX.")
@click.option("--version", "version", type=click.Choice(["1.2", "1.1"]), default="1.2")
def export_command(path: Path, email: str, state_code: str, version: str) -> None:
    """Write the OneRoster set (roster and Gradebook results) of a state's sites to PATH."""
    from app.permissions import can_manage_site
    from app.rosters.export import export_oneroster
    from app.sites.models import Site
    from app.users.models import Role, User

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None or user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise click.ClickException(f"{email} is not a coordinator or administrator.")
    sites = [
        s
        for s in db.session.scalars(select(Site).where(Site.state_code == state_code.upper()))
        if can_manage_site(user, s)
    ]
    if not sites:
        raise click.ClickException(f"No site of yours is in {state_code}.")
    started = time.perf_counter()
    path.write_bytes(export_oneroster(sites, version, user))
    db.session.commit()
    click.echo(f"Exported {len(sites)} sites in {time.perf_counter() - started:.1f} s to {path}")
