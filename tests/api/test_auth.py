"""Token authentication, JSON errors, the session cookie ignored, per-token rate limiting."""

import pytest

from app.extensions import db
from app.users.models import ApiToken
from app.users.services import revoke_api_token
from tests.api.helpers import api_get, bearer, token_for

PATHS = ["/api/v1/me", "/api/v1/students", "/api/v1/courses", "/api/v1/enrollments"]


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert response.json["code"] == 401 and response.json["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_401_json(client, world, path):
    assert_unauthorized(client.get(path))


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer pnt_not-a-real-token", "pnt_x"]
)
def test_bad_authorization_header_is_401(client, world, header):
    assert_unauthorized(client.get("/api/v1/me", headers={"Authorization": header}))


def test_invalid_token_says_invalid_token(client, world):
    response = client.get("/api/v1/me", headers=bearer("pnt_wrong"))
    assert_unauthorized(response)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_valid_token_is_200_and_records_use(client, world):
    user = world["teacher_tx1"]
    token = token_for(user)
    response = api_get(client, "/api/v1/me", token)
    assert response.status_code == 200
    assert response.json["email"] == user.email and response.json["role"] == "teacher"
    assert response.json["site"]["code"] == world["tx1"].code
    record = db.session.query(ApiToken).filter_by(token_hash=ApiToken.digest(token)).one()
    assert record.last_used_at is not None


def test_scheme_name_is_case_insensitive(client, world):
    token = token_for(world["admin"])
    response = client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_revoked_token_is_401(client, world):
    token = token_for(world["teacher_tx1"])
    assert api_get(client, "/api/v1/me", token).status_code == 200
    record = db.session.query(ApiToken).filter_by(token_hash=ApiToken.digest(token)).one()
    revoke_api_token(record)
    db.session.flush()
    assert_unauthorized(api_get(client, "/api/v1/me", token))


def test_inactive_user_token_is_401(client, world):
    user = world["teacher_tx1"]
    token = token_for(user)
    user.is_active = False
    db.session.flush()
    assert_unauthorized(api_get(client, "/api/v1/me", token))


def test_session_cookie_does_not_authenticate(client, auth, world):
    auth.login(world["admin"])
    assert client.get("/students/").status_code == 200  # the cookie works on the web UI
    assert_unauthorized(client.get("/api/v1/students"))


def test_api_response_sets_no_cookie(client, world):
    response = api_get(client, "/api/v1/me", world["admin"])
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_cli_token_works_as_bearer(client, runner, world):
    user = world["coord_tx"]
    result = runner.invoke(args=["users", "token", user.email, "--name", "laptop"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("pnt_")
    response = api_get(client, "/api/v1/me", token)
    assert response.status_code == 200
    assert response.json["email"] == user.email and response.json["state_code"] == "US-TX"


def test_student_me_names_their_record(client, world):
    student = world["student_tx1"]
    response = api_get(client, "/api/v1/me", student.user)
    assert response.json["role"] == "student" and response.json["student_id"] == student.id


def test_unknown_api_path_and_method_are_json(client, world):
    token = token_for(world["admin"])
    response = client.get("/api/v1/nothing-here", headers=bearer(token))
    assert response.status_code == 404 and response.json["code"] == 404
    response = client.post("/api/v1/students", headers=bearer(token))
    assert response.status_code == 405 and response.json["code"] == 405


def test_rate_limit_is_per_token_and_json(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    first, second = token_for(world["teacher_tx1"]), token_for(world["teacher_tx1"])
    codes = [api_get(client, path, first).status_code for path in PATHS]
    assert codes == [200, 200, 200, 429]  # one bucket across every API route
    response = api_get(client, "/api/v1/me", first)
    assert response.status_code == 429
    assert response.mimetype == "application/json" and response.json["code"] == 429
    assert api_get(client, "/api/v1/me", second).status_code == 200
    # The OpenAPI document is not behind the token or its limit.
    assert client.get("/api/v1/openapi.json").status_code == 200
