"""nginx for the cluster tests: deploy/nginx.conf with this machine's addresses and folders,
TLS with a certificate made for 127.0.0.1, run as an unprivileged process."""

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from config import BASE_DIR
from tests.cluster.ports import free_port, refuses_connections, wait_until

NGINX_CONF = BASE_DIR / "deploy" / "nginx.conf"


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
