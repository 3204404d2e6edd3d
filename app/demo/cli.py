"""`flask demo load`: the demo data (idempotent: a second run changes nothing)."""

import click
from flask.cli import AppGroup

from app.demo.data import DEMO_PASSWORD, STAFF, STUDENTS
from app.extensions import db

demo_cli = AppGroup("demo", help="Load demonstration data.")


@demo_cli.command("load")
def load_command():
    """Load sites, staff, students and their history, unless already loaded."""
    from app.demo.services import add_moves_and_prior_courses, demo_is_loaded, load_demo

    if demo_is_loaded():
        added = add_moves_and_prior_courses()  # a demo loaded before these existed gets them
        if any(added.values()):
            db.session.commit()
            click.echo(
                f"Added to the loaded demo: {added['moves']} move notices, "
                f"{added['prior_courses']} prior Mexican courses."
            )
        else:
            click.echo("The demo is already loaded; nothing changed.")
        return
    counts = load_demo()
    db.session.commit()
    click.echo(
        f"Loaded the demo: {counts['students']} students, {counts['enrollments']} enrollments, "
        f"{counts['certificates']} certificates."
    )
    click.echo(f"Sign in with any of these (password: {DEMO_PASSWORD}):")
    for email, role, *_rest in STAFF:
        click.echo(f"  {role:12} {email}")
    for row in STUDENTS:
        if row[6]:
            click.echo(f"  {'student':12} {row[6]}  ({row[5].replace('_', ' ')})")
