"""Configuration classes: secrets and URLs come from the environment."""

import os
import secrets
import shutil
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _instance_secret() -> str:
    """Return a per-installation secret kept in instance/, created on first use."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'puente.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
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

    COURSES_DIR = Path(os.environ.get("COURSES_DIR", BASE_DIR / "courses"))
    RULES_FILE = BASE_DIR / "app" / "credits" / "rules.toml"

    # Certificates: the signing key, and the public address verification links and QR codes use.
    SIGNING_KEY_FILE = Path(os.environ.get("SIGNING_KEY_FILE", INSTANCE_DIR / "signing_key.pem"))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    INSTALLATION_NAME = os.environ.get("INSTALLATION_NAME", "Puente")
    WKHTMLTOPDF = (
        os.environ.get("WKHTMLTOPDF") or shutil.which("wkhtmltopdf") or "/usr/bin/wkhtmltopdf"
    )
    VERIFY_RATE_LIMIT = "30 per minute;300 per hour"
    PAGE_SIZE = 25
    # A OneRoster ZIP uploaded through the page (tens of thousands of students, imported within
    # the request); a state-wide set goes through `flask rosters import`.
    ROSTER_MAX_BYTES = 10_000_000
    ROSTER_MAX_UNPACKED_BYTES = 200_000_000  # what the page's ZIP may unpack to, all files
    MAX_CONTENT_LENGTH = 20_000_000

    API_TITLE = "Puente API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


class DevelopmentConfig(Config):
    DEBUG = True
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
    PUBLIC_BASE_URL = "https://puente.example.org"
    JOBS_IMMEDIATE = True  # tasks run in the request that queues them


class ProductionConfig(Config):
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
