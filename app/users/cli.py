"""`flask users ...`: create users and API tokens from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.sites.models import Site
from app.users.models import Role, User
from app.users.services import UserError, create_api_token, create_user

users_cli = AppGroup("users", help="Manage users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--given-name", required=True)
@click.option("--family-name", required=True)
@click.option("--site", "site_code", help="Site code (teachers, students, site coordinators).")
@click.option("--state", "state_code", help="ISO 3166-2 state (state coordinators).")
@click.password_option()
def create_command(email, role, given_name, family_name, site_code, state_code, password):
    """Create a user."""
    site_id = None
    if site_code:
        site = db.session.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise click.ClickException(f"No site with code {site_code}.")
        site_id = site.id
    try:
        user = create_user(
            email,
            password,
            Role(role),
            given_name,
            family_name,
            site_id=site_id,
            state_code=state_code,
        )
    except UserError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A name to recognise the token by.")
def token_command(email, name):
    """Create an API token for EMAIL and print it (shown once)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        raise click.ClickException(f"No user with email {email}.")
    _token, secret = create_api_token(user, name)
    db.session.commit()
    click.echo(secret)
