"""The README's two-node production layout, on this machine: nginx (deploy/nginx.conf, only
addresses and paths changed) in front of two gunicorn nodes running `wsgi:app` with
FLASK_CONFIG=production, one PostgreSQL database, one Redis (rate limits and the job queue)
and two `flask jobs worker` processes. Every part is a real process the tests can kill."""

import os
import re
import shutil
import signal
import subprocess
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config import BASE_DIR
from tests import factories
from tests.cluster.ports import free_port, refuses_connections, wait_until
from tests.cluster.proxy import Nginx

VENV_BIN = BASE_DIR / ".venv" / "bin"
PUBLIC_BASE_URL = "https://puente.example.org"
# What each machine's instance folder's config.py sets (the README's way to tune an
# installation): the folders web nodes and workers share, and a short lease and small chunks,
# so a dead worker's job is taken over within seconds.
INSTANCE_CONFIG = """\
EXPORTS_DIR = "{shared}/exports"
PACKETS_DIR = "{shared}/packets"
ROSTER_UPLOADS_DIR = "{shared}/roster-uploads"
JOB_LEASE_SECONDS = 4
JOB_CHUNK_SIZE = 3
"""
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"'
)


@contextmanager
def postgresql_database():
    """A new PostgreSQL database beside TEST_DATABASE_URL's, or on 127.0.0.1:5432 when the
    suite runs on SQLite; dropped afterwards. The layout is one PostgreSQL: never SQLite."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        base = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"puente_cluster_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"the cluster tests need PostgreSQL (TEST_DATABASE_URL or {base}): {error}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def redis_server(folder: Path):
    """A Redis server of the test's own on a free loopback port (nothing kept on disk); its
    base URL. Its own, so runs beside each other never share counters or queues."""
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: not refuses_connections(port), 10, "redis-server to listen")
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Service:
    """A node (gunicorn) or a worker: its process group is killed as a machine would die."""

    name: str
    command: list[str]
    env: dict
    log_path: Path
    port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and its workers
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn's master and workers): nothing shuts down
        cleanly, every connection it held is cut."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        if self.port:
            wait_until(lambda: refuses_connections(self.port), 10, f"{self.name} to be gone")

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self) -> None:
        """SIGTERM (a clean shutdown), SIGKILL after 15 s."""
        self.terminate()
        if self.process is None:
            return
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready():
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.log()[-3000:]}")
            if self.port is None:
                return "Huey consumer started" in self.log()
            try:
                return requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5).ok
            except requests.RequestException:
                return False

        wait_until(ready, timeout, f"{self.name} to be ready", interval=0.2)


class Cluster:
    """The running layout: `nodes` (two gunicorns), `workers` (two job workers), `nginx`."""

    def __init__(self, folder: Path, database_url: str, redis_url: str):
        self.folder, self.database_url = folder, database_url
        keys = folder / "shared-keys"  # the files every machine gets a copy of
        keys.mkdir()
        self.signing_key_file = keys / "signing_key.pem"
        self.environment = {
            "FLASK_CONFIG": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "cluster-" + uuid.uuid4().hex,
            "JOB_QUEUE_URL": f"{redis_url}/1",
            "RATELIMIT_STORAGE_URI": f"{redis_url}/0",
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "SIGNING_KEY_FILE": str(self.signing_key_file),
            "TRUSTED_PROXIES": "1",
            "MAIL_BACKEND": "file",
            "MAIL_FILE_PATH": str(folder / "outbox"),
        }
        ports = (free_port(), free_port())
        self.nodes = [
            self._service(f"node-{letter}", self._gunicorn(port), port)
            for letter, port in zip("ab", ports, strict=True)
        ]
        worker = [str(VENV_BIN / "flask"), "--app", "wsgi:app", "jobs", "worker"]
        self.workers = [self._service(f"worker-{n}", worker) for n in (1, 2)]
        self.nginx = Nginx(ports)

    def _gunicorn(self, port: int) -> list[str]:
        # The README's command for a node, with the node's own address.
        return [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "wsgi:app",
        ]

    def _service(self, name: str, command: list[str], port: int | None = None) -> Service:
        instance = self.folder / name  # each machine's own instance folder and config.py
        instance.mkdir()
        (instance / "config.py").write_text(INSTANCE_CONFIG.format(shared=self.folder / "shared"))
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PUENTE_", "FLASK_", "TEST_DATABASE"))
        }
        env.update(self.environment, PUENTE_INSTANCE=str(instance))
        return Service(name, command, env, self.folder / f"{name}.log", port)

    @property
    def base(self) -> str:
        return self.nginx.base

    def start(self) -> None:
        for service in (*self.nodes, *self.workers):
            service.start()
        for service in (*self.nodes, *self.workers):
            service.wait_ready()
        self.nginx.start()

    def stop(self) -> None:
        self.nginx.stop()
        services = (*self.workers, *self.nodes)
        for service in services:
            service.terminate()  # all at once: each shuts down on its own
        for service in services:
            service.stop()

    def node_named(self, upstream: str) -> Service:
        return next(node for node in self.nodes if upstream.endswith(f":{node.port}"))

    def client(self, source: str = "127.0.0.1") -> "Client":
        return Client(self, source)

    def log_mark(self) -> int:
        return len(self.nginx.log_lines())

    def wait_balanced(self, timeout: float = 20) -> None:
        """Until nginx sends requests to both nodes again (a node it found dead is tried again
        after fail_timeout)."""
        mark, client = self.log_mark(), self.client()

        def both():
            client.get("/login")
            return {node for *_, node in self.served_since(mark)} == {n.name for n in self.nodes}

        wait_until(both, timeout, "nginx to send requests to both nodes", interval=0.5)

    def upstreams_since(self, mark: int) -> list[tuple[str, str, int, str]]:
        return logged_upstreams(self.nginx.log_lines()[mark:])

    def served_since(
        self, mark: int, path: str | None = None, at_least: int = 0
    ) -> list[tuple[str, str, int, str]]:
        """(method, path, status, node) of each request nginx logged after `mark`; with
        `at_least`, waits until that many are logged (nginx writes a line after answering)."""

        def served():
            lines = answered_by(self, self.nginx.log_lines()[mark:])
            return [line for line in lines if path is None or line[1] == path]

        if at_least:
            wait_until(lambda: len(served()) >= at_least, 10, f"{at_least} log lines of {path}")
        return served()


UPSTREAM = re.compile(r'"(\w+) (\S+) [^"]*" (\d{3}) \d+ upstream=([^ ,]+(?:, [^ ,]+)*) ')


def logged_upstreams(lines: list[str]) -> list[tuple[str, str, int, str]]:
    """(method, path, status, upstreams) per access-log line; the upstreams are "A" or, when
    nginx asked a second node, "A, B"."""
    found = []
    for line in lines:
        match = UPSTREAM.search(line)
        if match:
            method, path, status, upstreams = match.groups()
            found.append((method, path, int(status), upstreams))
    return found


def answered_by(cluster: Cluster, lines: list[str]) -> list[tuple[str, str, int, str]]:
    """(method, path, status, the node that answered last) per access-log line."""
    return [
        (method, path, status, cluster.node_named(upstreams.split(", ")[-1]).name)
        for method, path, status, upstreams in logged_upstreams(lines)
    ]


class SourceAddress(HTTPAdapter):
    """Connections from one loopback address (127.0.0.0/8): each client is its own address,
    as people behind the proxy are, so per-address limits count per client."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Client:
    """A browser talking to the cluster through nginx over HTTPS, from its own address."""

    def __init__(self, cluster: Cluster, source: str):
        self.base = cluster.base
        self.http = requests.Session()
        self.http.trust_env = False  # no CA bundle or proxy from the environment
        self.http.verify = str(cluster.nginx.certificate)
        self.http.mount("https://", SourceAddress(source))
        self.http.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
        # Browsers send it, and CSRF protection on HTTPS requires it.
        self.http.headers["Referer"] = f"{self.base}/"
        self.csrf = ""

    def get(self, path: str, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        return self.http.get(self.base + path, timeout=30, **kw)

    def post(self, path: str, data: dict | None = None, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        if "json" in kw:
            kw.setdefault("headers", {})["X-CSRFToken"] = self.csrf
            return self.http.post(self.base + path, timeout=30, **kw)
        return self.http.post(
            self.base + path, data={"csrf_token": self.csrf, **(data or {})}, timeout=30, **kw
        )

    def sign_in(
        self, email: str, password: str = factories.PASSWORD, remember: bool = False
    ) -> requests.Response:
        """Sign in through the real form; the answer (302 when signed in)."""
        self.csrf = csrf_of(self.get("/login").text)
        form = {"email": email, "password": password} | ({"remember": "y"} if remember else {})
        answer = self.post("/login", form)
        if answer.status_code == 302:
            self.csrf = csrf_of(self.get("/", allow_redirects=True).text)
        return answer


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)
