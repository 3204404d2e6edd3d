"""Sign-in, rate limiting, CSRF, language choice and API tokens on the profile page."""

import re

import pytest

from app import create_app
from app.extensions import db
from app.users.models import ApiToken
from config import TestingConfig
from tests import factories


def test_sign_in_redirects_only_to_local_next(client, world):
    user = world["teacher_tx1"]
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": user.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_email_is_case_insensitive(client, world):
    user = world["teacher_tx1"]
    response = client.post(
        "/login", data={"email": user.email.upper(), "password": factories.PASSWORD}
    )
    assert response.status_code == 302


def test_inactive_user_cannot_sign_in(client, world):
    user = world["teacher_tx1"]
    user.is_active = False
    db.session.flush()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 401


def test_password_is_stored_hashed(world):
    user = world["teacher_tx1"]
    assert factories.PASSWORD not in user.password_hash
    assert user.check_password(factories.PASSWORD)
    assert not user.check_password("wrong password")


def test_sign_in_is_rate_limited_per_account(client, world, session):
    email = world["teacher_tx1"].email
    session.commit()  # as if saved earlier: a refused request rolls back its own work
    codes = [
        client.post("/login", data={"email": email, "password": f"wrong{i}"}).status_code
        for i in range(6)
    ]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429
    # From that address even the right password waits for the window to pass ...
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 429
    # ... but the stranger has not locked the real user out: from their own address, they sign in.
    response = client.post(
        "/login",
        data={"email": email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.44"},
    )
    assert response.status_code == 302


def test_successful_sign_ins_do_not_count_against_the_account(client, world):
    user = world["teacher_tx1"]
    for _ in range(7):
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302
        client.post("/logout")


def test_an_unknown_account_costs_a_password_hash_too(app, world, monkeypatch):
    from app.auth import services

    hashed = []
    real = services.check_password_hash
    monkeypatch.setattr(
        services, "check_password_hash", lambda h, p: hashed.append(h) or real(h, p)
    )
    with app.test_request_context():
        assert services.authenticate_user("nobody@example.org", "a password") is None
    assert len(hashed) == 1 and hashed[0].startswith("pbkdf2:sha256:1000")


def test_sign_out_needs_post(client, auth, world):
    auth.login(world["teacher_tx1"])
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/students/").status_code == 302


@pytest.fixture
def csrf_client(app):
    class CsrfConfig(TestingConfig):
        WTF_CSRF_ENABLED = True

    csrf_app = create_app(CsrfConfig)
    return csrf_app.test_client()


def test_login_form_requires_csrf_token(csrf_client, world):
    user = world["teacher_tx1"]
    response = csrf_client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post(
        "/login", data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_language_follows_browser_then_choice_then_user_preference(client, auth, world):
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in page.get_data(as_text=True)
    client.post("/language", data={"locale": "en", "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    user = world["teacher_tx1"]
    user.locale = "es"
    db.session.flush()
    auth.login(user)
    page = client.get("/profile/")
    assert '<html lang="es">' in page.get_data(as_text=True)


def test_language_switch_saves_preference_for_signed_in_user(client, auth, world):
    user = world["teacher_tx1"]
    auth.login(user)
    response = client.post("/language", data={"locale": "es", "next": "/profile/"})
    assert response.headers["Location"] == "/profile/"
    assert user.locale == "es"
    bad = client.post("/language", data={"locale": "fr", "next": "/profile/"})
    assert bad.status_code == 302
    assert user.locale == "es"


def test_profile_creates_shows_once_and_revokes_tokens(client, auth, world):
    user = world["teacher_tx1"]
    auth.login(user)
    page = client.post("/profile/tokens", data={"name": "gradebook sync"}).get_data(as_text=True)
    secret = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    assert secret.startswith("pnt_")
    token = db.session.query(ApiToken).filter_by(user_id=user.id).one()
    assert token.token_hash == ApiToken.digest(secret)
    assert secret not in client.get("/profile/").get_data(as_text=True)
    client.post(f"/profile/tokens/{token.id}/revoke")
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, auth, world):
    other = world["teacher_tx2"]
    token = ApiToken(user_id=other.id, name="x", token_hash="0" * 64, prefix="pnt_x")
    db.session.add(token)
    db.session.flush()
    auth.login(world["teacher_tx1"])
    assert client.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None


def test_healthz_reports_dialect(client):
    body = client.get("/healthz").json
    assert body["status"] == "ok"
    assert body["dialect"] == db.engine.dialect.name


def test_cli_creates_user_and_token(runner, world):
    site = world["tx1"]
    result = runner.invoke(
        args=[
            "users",
            "create",
            "new.teacher@example.org",
            "--role",
            "teacher",
            "--given-name",
            "Nora",
            "--family-name",
            "Vega",
            "--site",
            site.code,
            "--password",
            "long enough pw",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "new.teacher@example.org"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("pnt_")
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "new.teacher@example.org",
            "--role",
            "teacher",
            "--given-name",
            "N",
            "--family-name",
            "V",
            "--password",
            "long enough pw",
        ],
    )
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output


def test_the_limiter_counts_the_sign_in_forms_posts_not_its_views(client, world, session):
    session.commit()
    for _ in range(12):
        assert client.get("/login").status_code == 200
    codes = [
        client.post("/login", data={"email": f"nobody{i}@x.example", "password": "x"}).status_code
        for i in range(11)
    ]
    assert codes == [401] * 10 + [429]  # "10 per minute" from one address, views aside
