"""The README's two-node production layout, on this machine: nginx (deploy/nginx.conf, only
addresses and paths changed) in front of two gunicorn nodes running `wsgi:app` with
FLASK_CONFIG=production, one PostgreSQL database, one Redis (rate limits and the job queue)
and two `flask jobs worker` processes. Every part is a real process the tests can kill."""

import datetime
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from config import BASE_DIR
from tests import factories

VENV_BIN = BASE_DIR / ".venv" / "bin"
NGINX_CONF = BASE_DIR / "deploy" / "nginx.conf"
PUBLIC_BASE_URL = "https://puente.example.org"
# What each machine's instance folder's config.py sets (the README's way to tune an
# installation): the folders web nodes and workers share, and a short lease and small chunks,
# so a dead worker's job is taken over within seconds.
INSTANCE_CONFIG = """\
EXPORTS_DIR = "{shared}/exports"
PACKETS_DIR = "{shared}/packets"
JOB_LEASE_SECONDS = 4
JOB_CHUNK_SIZE = 3
"""
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something true, at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return True
    return False


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


def write_tls_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 as fullchain.pem / privkey.pem; the chain."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    chain = folder / "fullchain.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain


def nginx_site(node_ports: tuple[int, int], http_port: int, https_port: int, folder: Path) -> str:
    """deploy/nginx.conf with this machine's addresses and folders, each replaced where the
    file names it (a change to the file that drops one fails here, not silently)."""
    site = NGINX_CONF.read_text()
    for old, new, times in (
        ("server 10.0.0.11:8000", f"server 127.0.0.1:{node_ports[0]}", 1),
        ("server 10.0.0.12:8000", f"server 127.0.0.1:{node_ports[1]}", 1),
        ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;", 1),
        ("/etc/ssl/puente/", f"{folder}/tls/", 2),
        ("/var/log/nginx/", f"{folder}/logs/", 2),
    ):
        assert site.count(old) == times, f"deploy/nginx.conf names {old!r} {site.count(old)}×"
        site = site.replace(old, new)
    return site


class Nginx:
    """nginx as an unprivileged process, everything it reads and writes in its own folder."""

    def __init__(self, node_ports: tuple[int, int]):
        # Its own folder under /tmp, not pytest's (which only its owner may enter): when the
        # tests run as root, nginx runs as nobody.
        self.folder = Path(tempfile.mkdtemp(prefix="puente-nginx-"))
        self.http_port, self.https_port = free_port(), free_port()
        for part in ("logs", "temp"):
            (self.folder / part).mkdir()
        self.certificate = write_tls_certificate(self.folder / "tls")
        (self.folder / "puente.conf").write_text(
            nginx_site(node_ports, self.http_port, self.https_port, self.folder)
        )
        temp = self.folder / "temp"
        (self.folder / "nginx.conf").write_text(
            f"pid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/logs/error.log warn;\n"
            "worker_processes 1;\n"
            "events { worker_connections 256; }\n"
            "http {\n"
            f"    access_log off;\n"
            f"    client_body_temp_path {temp}/body;\n"
            f"    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n"
            f"    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n"
            f"    include {self.folder}/puente.conf;\n"
            "}\n"
        )
        self.user = None
        if os.geteuid() == 0:
            self.user = "nobody"
            for path in [self.folder, *self.folder.rglob("*")]:
                shutil.chown(path, user="nobody")
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "puente-access.log"

    def start(self) -> None:
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.folder),
                "-e",
                str(self.folder / "logs" / "error.log"),
                "-c",
                str(self.folder / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            user=self.user,
            stderr=subprocess.STDOUT,
            stdout=subprocess.DEVNULL,  # it logs to logs/error.log
        )
        wait_until(
            lambda: self._exited() or not refuses_connections(self.https_port),
            10,
            "nginx to listen",
        )

    def _exited(self) -> bool:
        if self.process.poll() is not None:
            log = (self.folder / "logs" / "error.log").read_text(errors="replace")
            raise AssertionError(f"nginx exited: {log[-2000:]}")
        return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def error_log(self) -> str:
        return (self.folder / "logs" / "puente-error.log").read_text(errors="replace")

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


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

    def served_since(self, mark: int, path: str | None = None) -> list[tuple[str, str, int, str]]:
        """(method, path, status, node) of each request nginx logged after `mark`."""
        served = answered_by(self, self.nginx.log_lines()[mark:])
        return [line for line in served if path is None or line[1] == path]


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


@contextmanager
def running_cluster(folder: Path, seed):
    """Start the whole layout on a new database; `seed(database_url, key_file)` fills it first
    (and makes the shared signing keys) before any node starts."""
    with ExitStack() as stack:
        database_url = stack.enter_context(postgresql_database())
        redis_url = stack.enter_context(redis_server(folder))
        cluster = Cluster(folder, database_url, redis_url)
        stack.enter_context(seed(database_url, cluster.signing_key_file))
        stack.callback(cluster.stop)
        cluster.start()
        yield cluster
