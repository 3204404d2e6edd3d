"""`flask certificates verify FILE` and `flask certificates issue-pending`."""

import json
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

certificates_cli = AppGroup("certificates", help="Check and issue credit certificates.")


@certificates_cli.command("verify")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--issuer",
    "issuer_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The issuer document (saved from /issuer); default: this installation's key.",
)
def verify_command(path: Path, issuer_file: Path | None) -> None:
    """Check the signed credential in a certificate PDF or JSON file."""
    from app.certificates.checking import check_file
    from app.certificates.credential import issuer_document

    issuer = json.loads(issuer_file.read_text()) if issuer_file else issuer_document()
    result = check_file(path, issuer)
    if not result.valid:
        raise click.ClickException(f"NOT VALID: {result.reason}")
    subject = result.credential["credentialSubject"]
    name = next(i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name")
    click.echo(
        f"VALID: {result.credential['name']} for {name}, "
        f"{subject['creditsEarned']} credit; issued {result.credential['validFrom']} by "
        f"{result.credential['issuer']['name']}. Status: {result.credential['id']}"
    )


@certificates_cli.command("issue-pending")
@click.option("--as", "email", required=True, help="The coordinator issuing the certificates.")
@click.option("--site", "site_code", help="Only this site (code).")
def issue_pending_command(email: str, site_code: str | None) -> None:
    """Issue every pending certificate in the coordinator's scope (in batches)."""
    from app.certificates.services import issue_certificates, pending_awards
    from app.sites.models import Site
    from app.users.models import User

    user = db.session.scalar(select(User).where(User.email == email.lower()))
    if user is None or user.role.value not in ("coordinator", "admin"):
        raise click.ClickException(f"{email} is not a coordinator.")
    site_id = None
    if site_code:
        site_id = db.session.scalar(select(Site.id).where(Site.code == site_code))
        if site_id is None:
            raise click.ClickException(f"No site {site_code}.")
    started, total = time.perf_counter(), 0
    while awards := list(db.session.scalars(pending_awards(user, site_id).limit(500))):
        total += len(issue_certificates(awards, user))
        db.session.commit()
        click.echo(f"{total} issued…")
    click.echo(f"Issued {total} certificates in {time.perf_counter() - started:.1f} s.")
