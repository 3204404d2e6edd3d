"""`flask reports refresh`: rebuild the report facts now (the worker does it every few minutes)."""

import time

import click
from flask.cli import AppGroup

from app.extensions import db
from app.reports.facts import refresh_report_facts

reports_cli = AppGroup("reports", help="Reports for coordinators and admins.")


@reports_cli.command("refresh")
def refresh_command() -> None:
    """Rebuild the per-enrollment report facts from the records."""
    started = time.perf_counter()
    refresh = refresh_report_facts()
    db.session.commit()
    click.echo(f"{refresh.rows} enrollments in {time.perf_counter() - started:.1f} s")
