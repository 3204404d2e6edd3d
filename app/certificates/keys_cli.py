"""`flask keys list|rotate|export|import`: the installation's signing keys."""

import json
import os
from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db

keys_cli = AppGroup("keys", help="The installation's signing keys: rotate, back up, restore.")


@keys_cli.command("list")
def list_command() -> None:
    """Every signing key and the dates it signed."""
    from app.certificates.keys import published_jwt_keys, published_keys

    for key in [*published_keys(), *published_jwt_keys()]:
        until = key.valid_until.isoformat() if key.valid_until else "now (signs new credentials)"
        click.echo(
            f"{key.name}  {key.kind}  {key.public_key_multibase}  {key.valid_from} → {until}"
        )
    db.session.commit()


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Make a new key of each kind (Ed25519, the VC-JWT's P-256); older keys stay published so
    what they signed still verifies."""
    from app.certificates.keys import published_jwt_keys, rotate_signing_keys

    key = rotate_signing_keys(None)
    jwt_key = published_jwt_keys()[-1]
    db.session.commit()
    click.echo(
        f"{key.name} and {jwt_key.name} sign from now on. Back them up: flask keys export BACKUP.json"
    )


@keys_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export_command(path: Path) -> None:
    """Write every signing key (private halves included) to PATH, readable by you only."""
    from app.certificates.keys import export_keys

    backup = export_keys()
    db.session.commit()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(backup, handle, indent=2)
    click.echo(f"{len(backup['keys'])} keys written to {path}. Keep it offline, like the key.")


@keys_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Restore the signing keys from a backup made by `flask keys export`."""
    from app.certificates.keys import import_keys

    try:
        written = import_keys(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Restored {len(written)} key files: {', '.join(written) or 'none needed'}.")
