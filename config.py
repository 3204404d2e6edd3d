"""Configuration classes: secrets and URLs come from the environment."""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Everything one installation keeps on disk (database, keys, job queue, outbox); a second
# installation on the same machine names its own folder (`make run INSTANCE=instance/second`).
INSTANCE_DIR = Path(os.environ.get("PUENTE_INSTANCE") or BASE_DIR / "instance").resolve()


def _instance_secret() -> str:
    """Return a per-installation secret kept in instance/, created on first use."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'puente.db'}"
    )
    # No ping on every checkout: app/connections.py checks a connection that sat idle.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    PING_AFTER_IDLE_SECONDS = 5.0
    # Cookies are per host, not per port: two installations on one machine name theirs apart.
    SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME", "session")
    REMEMBER_COOKIE_NAME = os.environ.get("REMEMBER_COOKIE_NAME", "remember_token")
    SESSION_COOKIE_HTTPONLY = True
    # Compressed answers (Flask-Compress) for a phone on a weak signal. Only these types: CSV,
    # PDF and ZIP downloads are sent as they are.
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Static files are named with their version (?v=…, app/template_helpers.py), so a phone
    # keeps them a year and asks again only when one changes.
    SEND_FILE_MAX_AGE_DEFAULT = 31536000
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Reverse proxies in front of the app (each adds X-Forwarded-For/-Proto/-Host): the rate
    # limiter and the logs then see the client's address. 0 when the app faces clients itself.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    HSTS = False  # Strict-Transport-Security; on in production (behind HTTPS)
    READ_INSTANCE_CONFIG = True  # instance/config.py overrides; never in tests
    WTF_CSRF_TIME_LIMIT = None

    LANGUAGES = ("en", "es")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    # Failed sign-ins per account from one address (a stranger elsewhere cannot lock a user out).
    LOGIN_FAILURE_LIMIT = "5 per minute;20 per hour"

    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))
    RULES_FILE = BASE_DIR / "app" / "credits" / "rules.toml"

    # The installation's identity: its signing key, and the public address that names it (the
    # issuer of its credentials and packages; verification links and QR codes). Each installation
    # has its own; production refuses to start without one (see app/installation.py).
    SIGNING_KEY_FILE = Path(os.environ.get("SIGNING_KEY_FILE", INSTANCE_DIR / "signing_key.pem"))
    # The VC-JWT's P-256 key; unset, signing_key-p256.pem beside SIGNING_KEY_FILE.
    JWT_SIGNING_KEY_FILE = os.environ.get("JWT_SIGNING_KEY_FILE") or None
    # Refuse to start when certificates were signed with a key whose file is gone (restore it
    # with `flask keys import`, never a silent new key).
    CHECK_SIGNING_KEYS = True
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    REQUIRE_PUBLIC_BASE_URL = False
    # Requests from other Puente installations (signed, RFC 9421): how old a signature may be,
    # and how long to wait for a peer.
    PEER_SIGNATURE_MAX_AGE = 300
    PEER_TIMEOUT = 20
    INSTALLATION_NAME = os.environ.get("INSTALLATION_NAME", "Puente")
    WKHTMLTOPDF = (
        os.environ.get("WKHTMLTOPDF") or shutil.which("wkhtmltopdf") or "/usr/bin/wkhtmltopdf"
    )
    # Keep wkhtmltopdf running between documents (app/warm_pdf.py): a one-page PDF in ~25 ms
    # instead of ~120 ms, for ~80 MB a kept process.
    PDF_KEEP_WARM = os.environ.get("PDF_KEEP_WARM", "1") != "0"
    VERIFY_RATE_LIMIT = "30 per minute;300 per hour"
    PAGE_SIZE = 25
    # Pages kept whole for who saw them, per worker (app/page_cache); 0 turns keeping off.
    PAGE_CACHE_BYTES = int(os.environ.get("PAGE_CACHE_BYTES", 32 * 1024 * 1024))
    # A paged list counts its rows up to here; beyond, it says "more than" (app/common.py).
    LIST_COUNT_CAP = 1000
    # A OneRoster ZIP uploaded through the page: up to ROSTER_MAX_BYTES (a few thousand students)
    # is imported within the request; up to ROSTER_JOB_MAX_BYTES (a national set zips to ~10 MB)
    # by the job worker, with a progress page; anything larger through `flask rosters import`.
    ROSTER_MAX_BYTES = 2_000_000
    ROSTER_JOB_MAX_BYTES = 19_000_000
    ROSTER_MAX_UNPACKED_BYTES = 200_000_000  # what a page's or job's ZIP may unpack to, all files
    MAX_CONTENT_LENGTH = 20_000_000
    COURSE_PACKAGE_MAX_BYTES = 5_000_000  # an uploaded course package ZIP: text, a few pictures

    # Mail (Flask-Mailman): invitations and password resets. MAIL_BACKEND "smtp" in production,
    # "file" writes each message under MAIL_FILE_PATH (development's outbox).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Puente <no-reply@localhost>")
    MAIL_TIMEOUT = 10
    MAIL_FILE_PATH = os.environ.get("MAIL_FILE_PATH", str(INSTANCE_DIR / "outbox"))
    # One-time sign-in links and codes (app/auth/tokens.py).
    INVITE_DAYS = 7
    SIGN_IN_SHEET_DAYS = 30
    PASSWORD_RESET_MINUTES = 60
    FORGOT_PASSWORD_RATE_LIMIT = "5 per minute;20 per hour"
    # Codes are long and random (app/auth/tokens.py); the limit only slows a flood, and a class
    # setting passwords together behind one school address must not hit it.
    TOKEN_RATE_LIMIT = "60 per minute;1000 per hour"

    API_TITLE = "Puente API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    DEBUG = True
    # `make run` passes the address it serves (HOST and PORT); this is the default it uses.
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    MAIL_BACKEND = os.environ.get(
        "MAIL_BACKEND", "file"
    )  # `make run`: mail lands in instance/outbox
    JOBS_IN_PROCESS = True  # `make run`: a worker thread in the web process (see app/jobs.py)


class TestingConfig(Config):
    TESTING = True
    READ_INSTANCE_CONFIG = False  # a developer's instance/config.py must never reach a test
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True
    PASSWORD_METHOD = "pbkdf2:sha256:1000"
    SIGNING_KEY_FILE = Path(tempfile.gettempdir()) / "puente-test-signing-key.pem"
    JWT_SIGNING_KEY_FILE = None  # beside SIGNING_KEY_FILE, whatever the environment says
    CHECK_SIGNING_KEYS = False  # tests check it on their own apps (tests/certificates/test_keys.py)
    PUBLIC_BASE_URL = "https://puente.example.org"
    JOBS_IMMEDIATE = True  # tasks run in the request that queues them
    # Real SMTP: the `smtp_server` fixture (aiosmtpd) points the mail state at its own port.
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 9  # closed: mail sent without the fixture fails loudly
    MAIL_DEFAULT_SENDER = "Puente <no-reply@puente.example.org>"


class ProductionConfig(Config):
    REQUIRE_PUBLIC_BASE_URL = True
    # Behind HTTPS in production; a loopback benchmark may turn this off.
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS = SESSION_COOKIE_SECURE
    PRODUCTION = True  # start-up checks warn about settings unsafe with several workers


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
