"""Fixtures: one schema per session, each test inside a rolled-back transaction."""

import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session
from sqlalchemy import event

from app import create_app
from app.extensions import db, limiter
from config import TestingConfig
from tests import factories


class FreshUserClient(FlaskClient):
    """A test client whose every request loads the signed-in user afresh.

    The test's app context outlives its requests, and Flask-Login caches the user in `g`.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def assert_test_database(uri: str) -> None:
    """Stop the run unless `uri` is a database the tests may wipe: an in-memory SQLite one the
    tests create, or exactly TEST_DATABASE_URL. A developer's own database is never dropped."""
    allowed = {"sqlite://", "sqlite:///:memory:", os.environ.get("TEST_DATABASE_URL")}
    if uri not in allowed:
        pytest.exit(
            f"Refusing to drop tables in {uri!r}: tests run only on an in-memory SQLite "
            "database or on TEST_DATABASE_URL.",
            returncode=2,
        )


@pytest.fixture(scope="session")
def app():
    app = create_app(TestingConfig)
    app.test_client_class = FreshUserClient
    assert_test_database(app.config["SQLALCHEMY_DATABASE_URI"])
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _enable_sqlite_savepoints(db.engine)
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _enable_sqlite_savepoints(engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


class ConnectionSession(Session):
    """Flask-SQLAlchemy's session, but bound to the test's connection, not the engine."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(mapper, clause, bind)


@pytest.fixture(autouse=True)
def session(request):
    """Every test runs in a transaction that is rolled back; request commits are savepoints.

    Tests marked `own_databases` (installations of their own, live servers) commit for real in
    databases they create, and get no shared session.
    """
    if request.node.get_closest_marker("own_databases"):
        yield None
        return
    app = request.getfixturevalue("app")
    # Kept pages name generations this rollback takes back: a later test could meet them.
    app.extensions.pop("puente_pages", None)
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {
                "class_": ConnectionSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        limiter.reset()
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user, password: str = factories.PASSWORD):
        response = self._client.post(
            "/login", data={"email": user.email, "password": password}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def world(session):
    """Two states, three sites, staff and students at each: for access truth tables."""
    return factories.make_world()


@pytest.fixture
def mail_server():
    """A real SMTP server on a free loopback port (tests/smtp.py)."""
    from tests.smtp import SmtpServer

    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(app, mail_server):
    """The test app's mail goes to `mail_server` (the configured port 9 is closed)."""
    state = app.extensions["mailman"]
    saved = state.server, state.port
    state.server, state.port = "127.0.0.1", mail_server.port
    yield mail_server
    state.server, state.port = saved
