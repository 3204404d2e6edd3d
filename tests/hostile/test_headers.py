"""Web hardening: security headers on every response, no-store on records, cookies, proxies,
links built on PUBLIC_BASE_URL, production warnings, no inline script in any template."""

import logging
import re

import pytest

from app import create_app
from app.extensions import db
from config import BASE_DIR, ProductionConfig, TestingConfig
from tests import factories
from tests.api.helpers import api_get
from tests.certificates.helpers import awarded

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def assert_hardened(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    script = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script.strip() == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'


def test_public_pages_errors_and_the_api_carry_the_headers(client):
    for response in (
        client.get("/login"),
        client.get("/no-such-page"),
        client.get("/api/v1/me"),
        client.get("/api/v1/openapi.json"),
        client.get("/healthz"),
    ):
        assert_hardened(response)
    assert "Strict-Transport-Security" not in client.get("/login").headers  # not in tests


def test_signed_in_pages_and_downloads_are_never_stored(client, auth, world):
    student = world["student_tx1"]
    factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    auth.login(world["coord_tx"])
    for url in (
        "/students/",
        f"/students/{student.id}",
        f"/records/students/{student.id}/course-history.csv",
        f"/transfers/students/{student.id}/package.json",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        assert_hardened(response)
    response = api_get(client, f"/api/v1/students/{student.id}", world["coord_tx"])
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    with client.get("/static/puente.css") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert_hardened(response)


def test_the_remember_me_cookie_is_samesite_lax(client, world):
    user = world["teacher_tx1"]
    response = client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "SameSite=Lax" in remember[0] and "HttpOnly" in remember[0]
    session = [c for c in cookies if c.startswith("session=")]
    assert "SameSite=Lax" in session[0]


class ProductionTestConfig(ProductionConfig):
    """Production as deployed, on the tests' database and never the instance file."""

    TESTING = True
    READ_INSTANCE_CONFIG = False
    SECRET_KEY = "production-test"
    SQLALCHEMY_DATABASE_URI = TestingConfig.SQLALCHEMY_DATABASE_URI
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_BASE_URL = "https://puente.example.org"


def test_production_sends_hsts_and_secure_cookies(caplog):
    with caplog.at_level(logging.WARNING, logger="app"):
        app = create_app(ProductionTestConfig)
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["SESSION_COOKIE_SECURE"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert any("RATELIMIT_STORAGE_URI is memory://" in r.getMessage() for r in caplog.records)


def test_production_with_redis_storage_does_not_warn(caplog):
    class WithRedis(ProductionTestConfig):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/7"

    with caplog.at_level(logging.WARNING, logger="app"):
        create_app(WithRedis)
    assert not any("RATELIMIT_STORAGE_URI" in r.getMessage() for r in caplog.records)


class BehindOneProxy(TestingConfig):
    TRUSTED_PROXIES = 1


@pytest.fixture
def proxied_client():
    app = create_app(BehindOneProxy)
    with app.app_context():
        yield app.test_client()


def sign_in_attempt(client, forwarded_for: str, n: int = 0):
    # A new address each time: the per-account limit (5 a minute) stays out of the way.
    return client.post(
        "/login",
        data={"email": f"nobody{n}@example.org", "password": "wrong-password"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_proxy_the_limiter_counts_each_client(proxied_client, session):
    limit = 10  # LOGIN_RATE_LIMIT: 10 per minute
    statuses = [sign_in_attempt(proxied_client, "203.0.113.7", n).status_code for n in range(limit)]
    assert 429 not in statuses
    assert sign_in_attempt(proxied_client, "203.0.113.7", 99).status_code == 429
    # Another client behind the same proxy is not locked out by the first one's attempts.
    assert sign_in_attempt(proxied_client, "198.51.100.4", 100).status_code != 429


def test_without_trusted_proxies_the_forwarded_address_is_ignored(client, world):
    statuses = [sign_in_attempt(client, f"203.0.113.{n}", n).status_code for n in range(11)]
    assert statuses[-1] == 429  # all counted as one client: the header is not believed


def test_verify_links_use_public_base_url_never_the_host_header(client, world):
    cert = factories.make_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    response = client.get(
        f"/verify/{cert.code}",
        headers={"Accept": "application/json", "Host": "evil.example", "X-Forwarded-Host": "x"},
    )
    report = response.get_json()
    assert report["credential"].startswith("https://puente.example.org/verify/")
    assert report["public_key"] == "https://puente.example.org/issuer"
    page = client.get(f"/verify/{cert.code}", headers={"Host": "evil.example"})
    html = page.get_data(as_text=True)
    assert "evil.example" not in html and "https://puente.example.org/issuer" in html


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []
