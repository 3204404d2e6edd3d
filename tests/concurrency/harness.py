"""Live-server harness: a real database, gunicorn with two workers, signed-in HTTP actors,
and requests fired at the same instant from threads."""

import os
import re
import socket
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.users.models import Role
from config import BASE_DIR
from tests import factories

VENV_BIN = BASE_DIR / ".venv" / "bin"
TRIALS = int(os.environ.get("PUENTE_RACE_TRIALS", "10"))
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf-token" content="([^"]+)"'
)


@contextmanager
def live_database(tmp_dir: Path):
    """A new empty database: on PostgreSQL beside TEST_DATABASE_URL's (its name + _live_…),
    else an SQLite file; dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_dir / 'live.db'}"
        return
    url = make_url(base)
    name = f"{url.database}_live_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_env(database_url: str, **extra: str) -> dict:
    env = {**os.environ, "PUENTE_LIVE_DATABASE_URL": database_url, **extra}
    env.pop("FLASK_CONFIG", None)
    return env


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something true, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def gunicorn(database_url: str, workers: int = 2, **env: str):
    """gunicorn serving tests/live.py on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            "tests.live:app",
        ],
        cwd=BASE_DIR,
        env=live_env(database_url, **env),
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        if process.poll() is not None:
            raise AssertionError("gunicorn exited")
        try:
            return requests.get(f"{base}/login", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(up, 30, "gunicorn to answer")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Actor:
    """One person in a browser: signed in through the real /login form, with its CSRF token."""

    def __init__(self, base: str, user):
        self.base, self.email = base, user.email
        self.http = requests.Session()
        self.http.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"  # a browser
        self.csrf = csrf_of(self.http.get(f"{base}/login", timeout=10).text)
        signed_in = self.http.post(
            f"{base}/login",
            allow_redirects=False,
            timeout=10,
            data={"email": self.email, "password": factories.PASSWORD, "csrf_token": self.csrf},
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        self.csrf = csrf_of(self.http.get(f"{base}/", timeout=10).text)

    def get(self, path: str, **kw) -> requests.Response:
        return self.http.get(self.base + path, timeout=60, **kw)

    def post(self, path: str, data: dict | None = None, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 120)
        if "json" in kw:
            kw.setdefault("headers", {})["X-CSRFToken"] = self.csrf
            return self.http.post(self.base + path, **kw)
        return self.http.post(
            self.base + path, data={"csrf_token": self.csrf, **(data or {})}, **kw
        )


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'type="hidden" name="{name}" value="([^"]*)"', html
    )
    assert match, f"no hidden {name} on the page"
    return match.group(1)


def at_once(*calls):
    """Run the calls in threads released together by a barrier; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


FIGURES: dict[str, dict[str, int]] = {}


def tally(race: str, *, duplicates: int = 0, lost: int = 0, errors: int = 0) -> None:
    """Count one trial of `race` and what went wrong in it (the test asserts none did)."""
    row = FIGURES.setdefault(race, {"trials": 0, "duplicates": 0, "lost": 0, "500s": 0})
    row["trials"] += 1
    row["duplicates"] += duplicates
    row["lost"] += lost
    row["500s"] += errors


def passed_enrollment(world, site=None, units: int = 5):
    """A new student (at a new Texas site unless given) who passed `units` units."""
    site = site or factories.make_site("US-TX")
    if site is not world["tx1"]:
        factories.make_user(Role.TEACHER, site)
    student = factories.make_student(site)
    enrollment = factories.make_enrollment(student, world["course"])
    for progress in enrollment.units[:units]:
        factories.pass_unit(progress, open_points=1.0)
    return enrollment
