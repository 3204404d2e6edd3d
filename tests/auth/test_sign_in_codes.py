"""One-time codes: used, expired, replaced and forged codes get a clear 4xx page and change nothing."""

from datetime import timedelta

import pytest

from app.auth.models import SignInToken, TokenPurpose
from app.auth.tokens import format_code, issue_token
from app.extensions import db
from tests import factories

NEW_PASSWORD = "cuatro palabras largas"


@pytest.fixture
def student_code(app, world):
    user = world["student_tx1"].user
    with app.test_request_context():
        token, code = issue_token(user, TokenPurpose.SHEET, world["teacher_tx1"])
    db.session.commit()
    return user, token, code


def _set(client, code, password=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/password/set/{code}", data={"password": password, "confirm": confirm or password}
    )


def test_a_forged_code_is_unknown(client, student_code):
    response = client.get("/password/set/NOTAREALCODE")
    assert response.status_code == 404
    assert "We do not know this sign-in link or code" in response.get_data(as_text=True)
    assert _set(client, "NOTAREALCODE").status_code == 404


def test_the_error_page_is_in_the_visitors_language(client, student_code):
    response = client.get("/password/set/NOTAREALCODE", headers={"Accept-Language": "es-MX"})
    assert response.status_code == 404
    assert "No conocemos este enlace o código" in response.get_data(as_text=True)


def test_an_expired_code_is_refused_and_changes_nothing(client, student_code):
    user, token, code = student_code
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    response = _set(client, code)
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)
    assert user.check_password(factories.PASSWORD)


def test_a_newer_code_replaces_the_older(app, client, world, student_code):
    user, _token, old_code = student_code
    with app.test_request_context():
        _new, new_code = issue_token(user, TokenPurpose.SHEET, world["teacher_tx1"])
    db.session.commit()
    assert client.get(f"/password/set/{old_code}").status_code == 410
    assert client.get(f"/password/set/{new_code}").status_code == 200


def test_a_weak_password_is_refused_and_the_code_stays_usable(client, student_code):
    user, token, code = student_code
    response = _set(client, code, "password1")
    assert response.status_code == 400
    assert "one of the most common passwords" in response.get_data(as_text=True)
    assert _set(client, code, "short").status_code == 400
    mismatch = _set(client, code, NEW_PASSWORD, "something else entirely")
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    db.session.refresh(token)
    assert token.used_at is None and user.check_password(factories.PASSWORD)
    assert _set(client, code).status_code == 302


def test_setting_the_password_signs_in_and_ends_other_sessions(app, client, student_code):
    user, _token, code = student_code
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert elsewhere.get("/learn/").status_code == 200

    response = _set(client, code)
    assert response.headers["Location"] == "/"
    assert client.get("/", follow_redirects=False).headers["Location"] == "/learn/"
    assert elsewhere.get("/learn/").status_code == 302
    assert db.session.get(SignInToken, _token.id).used_at is not None


def test_the_code_page_accepts_a_typed_code(client, student_code):
    _user, _token, code = student_code
    typed = format_code(code).lower().replace("-", " - ")
    response = client.post("/password/code", data={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/password/set/{code}"


def test_the_code_page_says_why_a_code_is_refused(client, student_code):
    response = client.post("/password/code", data={"code": "ABCD-EFGH-JKMN"})
    assert response.status_code == 404
    assert "We do not know this sign-in link or code" in response.get_data(as_text=True)
    assert client.post("/password/code", data={"code": ""}).status_code == 400


def test_a_student_signs_in_with_the_sign_in_name(client, world):
    user = world["student_tx1"].user
    user.username = "rosa.campos.4821"
    db.session.commit()
    response = client.post(
        "/login", data={"email": "Rosa.Campos.4821", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/learn/").status_code == 200


def test_an_unknown_sign_in_name_is_refused(client):
    response = client.post("/login", data={"email": "nobody.1234", "password": "whatever it is"})
    assert response.status_code == 401
    assert "Email, sign-in name or password is not correct." in response.get_data(as_text=True)
