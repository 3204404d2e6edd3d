"""Register every area's command group."""

from flask import Flask


def register(app: Flask) -> None:
    from app.certificates.cli import certificates_cli
    from app.courses.cli import courses_cli
    from app.demo.cli import demo_cli
    from app.users.cli import users_cli

    for group in (users_cli, courses_cli, demo_cli, certificates_cli):
        app.cli.add_command(group)
