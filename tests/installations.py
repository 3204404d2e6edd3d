"""Puente installations for tests that cross the boundary between them: live ones (each its own
server on its own port, its own database — SQLite file, or a new PostgreSQL database when the
suite runs on PostgreSQL — its own key and public address), and unserved ones for package tests."""

import os
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from app import create_app
from app.extensions import db
from config import TestingConfig


@contextmanager
def database_url(tmp_path, name: str):
    """A new empty database on the engine the suite runs on, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / name}.db"
        return
    database = f"puente_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(base).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def make_installation(tmp_path, name: str, address: str):
    """An installation's app (not served) on its own SQLite file, key and public address."""

    class InstallationConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / name}.db"
        SIGNING_KEY_FILE = tmp_path / f"{name}-key.pem"
        PUBLIC_BASE_URL = address
        INSTALLATION_NAME = f"Puente {name}"

    app = create_app(InstallationConfig)
    with app.app_context():
        db.create_all()
    return app


@dataclass
class Installation:
    name: str
    app: object
    url: str
    server: BaseWSGIServer

    def context(self):
        return self.app.app_context()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_installation(tmp_path, name: str, csrf: bool = True):
    """A running installation named `name`, serving on a loopback port of its own."""
    port = free_port()
    with database_url(tmp_path, name) as url:

        class InstallationConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url
            SIGNING_KEY_FILE = tmp_path / f"{name}-signing-key.pem"
            PUBLIC_BASE_URL = f"http://127.0.0.1:{port}"
            INSTALLATION_NAME = f"Puente {name}"
            WTF_CSRF_ENABLED = csrf

        app = create_app(InstallationConfig)
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Installation(name, app, InstallationConfig.PUBLIC_BASE_URL, server)
        finally:
            server.shutdown()
            thread.join(5)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
