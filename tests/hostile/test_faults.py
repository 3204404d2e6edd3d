"""Faults users understand: a live server whose database is down answers 503 in the user's
language (JSON for the API); /healthz names the part that is down."""

import json
import socket
import threading
import urllib.error
import urllib.request

import pytest
from huey import RedisHuey
from werkzeug.serving import make_server

from app import create_app
from app.main.health import queue_status
from config import TestingConfig


@pytest.fixture
def closed_port():
    """A loopback port held bound but never listening: every connection to it is refused, and
    no other process can take it while the test runs."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@pytest.fixture
def session():
    """The live app never reaches a database, so no test transaction either (and db.session
    stays Flask-SQLAlchemy's own, bound to the dead app's engine)."""
    yield None


DEAD_APPS = {}


def signed_in_cookie(app, locale: str) -> str:
    """A session cookie of a signed-in user who chose `locale`, as the browser would send it."""
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = "1:0"  # id:session version, as Flask-Login stores it
        flask_session["_fresh"] = True
        flask_session["locale"] = locale
    return f"session={client.get_cookie('session').value}"


@pytest.fixture
def dead_database_server(closed_port):
    class DeadDatabaseConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = (
            f"postgresql+psycopg://postgres@127.0.0.1:{closed_port}/puente?connect_timeout=2"
        )

    app = create_app(DeadDatabaseConfig)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    DEAD_APPS["app"] = app
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def fetch(url: str, data: bytes | None = None, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:  # closed at once: an unclosed response would warn (warnings are errors)
            return error.code, dict(error.headers), error.read().decode()


def test_a_page_that_needs_the_database_is_a_503_in_english(dead_database_server):
    status, headers, body = fetch(
        f"{dead_database_server}/verify/AAAA-BBBB-CCCC-DDDD", **{"Accept-Language": "en"}
    )
    assert status == 503
    assert "The database is not answering" in body and '<html lang="en">' in body
    # A minute: Flask-Limiter's header hook rounds the verify limit's view of it down to 59.
    assert headers["Retry-After"] in ("59", "60") and headers["Cache-Control"] == "no-store"


def test_the_503_page_speaks_spanish(dead_database_server):
    status, _headers, body = fetch(
        f"{dead_database_server}/verify/AAAA-BBBB-CCCC-DDDD", **{"Accept-Language": "es-MX,es"}
    )
    assert status == 503
    assert "La base de datos no responde" in body and '<html lang="es">' in body
    assert "No disponible por el momento" in body


def test_a_signed_in_user_gets_the_503_in_their_chosen_language(dead_database_server):
    cookie = signed_in_cookie(DEAD_APPS["app"], "es")
    status, _headers, body = fetch(
        f"{dead_database_server}/students/", Cookie=cookie, **{"Accept-Language": "en"}
    )
    assert status == 503, body[:3000]
    assert "La base de datos no responde" in body and '<html lang="es">' in body


def test_signing_in_while_the_database_is_down_is_a_503(dead_database_server):
    data = b"email=a%40example.org&password=x"
    status, _headers, body = fetch(
        f"{dead_database_server}/login",
        data=data,
        **{"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "es"},
    )
    assert status == 503 and "La base de datos no responde" in body


def test_the_api_answers_503_json(dead_database_server):
    status, headers, body = fetch(
        f"{dead_database_server}/api/v1/me", Authorization="Bearer pnt_anything"
    )
    assert status == 503 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "code": 503,
        "message": "The database is not answering, so nothing could be shown or saved. "
        "Please try again in a few minutes.",
    }


def test_healthz_says_the_database_is_down(dead_database_server):
    status, _headers, body = fetch(f"{dead_database_server}/healthz")
    report = json.loads(body)
    assert status == 503
    assert report["status"] == "error" and report["down"] == ["database"]
    assert report["database"] == "error" and report["database_error"] == "OperationalError"
    assert report["jobs"] == "ok"


def test_a_job_queue_that_is_down_is_named(closed_port):
    queue = RedisHuey("puente-healthz-test", url=f"redis://127.0.0.1:{closed_port}/7")
    status = queue_status(queue)
    assert status["jobs"] == "error" and status["jobs_error"] == "ConnectionError"


def test_a_job_queue_that_answers_is_ok():
    queue = RedisHuey("puente-healthz-test", url="redis://127.0.0.1:6379/7")
    assert queue_status(queue) == {"jobs": "ok", "jobs_pending": 0}
