"""Register every area's command group."""

import logging

import click
from flask import Flask
from flask.cli import AppGroup


def register(app: Flask) -> None:
    from app.certificates.cli import certificates_cli
    from app.certificates.keys_cli import keys_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.reports.cli import reports_cli
    from app.rosters.cli import rosters_cli
    from app.users.cli import users_cli

    for group in (
        users_cli,
        courses_cli,
        demo_cli,
        certificates_cli,
        keys_cli,
        rosters_cli,
        reports_cli,
    ):
        app.cli.add_command(group)
    app.cli.add_command(jobs_cli)


jobs_cli = AppGroup("jobs", help="The background job queue.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run the job worker (Huey consumer) until stopped; it resumes jobs a dead worker left."""
    from flask import current_app

    from app.certificates import tasks  # noqa: F401  (registers the tasks and their watcher)
    from app.jobs import huey, start_watching
    from app.notifications import tasks as notification_tasks  # noqa: F401  (mail, digests)
    from app.records import exports  # noqa: F401  (the export task and its watcher)
    from app.reports import tasks as report_tasks  # noqa: F401  (keeps the report facts fresh)

    # Each task it starts and finishes, with the process id: which worker ran what, when one
    # of several dies (README, Production).
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [%(process)d] %(name)s %(levelname)s %(message)s"
    )
    start_watching(current_app._get_current_object())
    # Redis hands a task over the moment it is queued; the SQLite queue is polled, and at
    # most half a second apart, so a certificate's PDF is not left waiting for Huey's 10 s.
    huey.create_consumer(workers=workers, worker_type="thread", max_delay=0.5).run()
