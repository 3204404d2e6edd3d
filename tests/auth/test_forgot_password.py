"""Forgotten password: a neutral answer, a real mail with a one-hour single-use link, rate limits."""

import re
from datetime import timedelta

from app.audit.models import AuditEvent
from app.auth.models import SignInToken, TokenPurpose
from app.extensions import db
from tests import factories
from tests.smtp import body, link_in

NEW_PASSWORD = "cuatro palabras largas"
NEUTRAL = "If an account uses this email, we have sent it a link"


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def test_the_sign_in_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page
    assert "Email or sign-in name" in page


def test_reset_by_email_end_to_end(client, smtp_server, world):
    teacher = world["teacher_tx1"]
    response = client.post(
        "/password/forgot", data={"email": teacher.email.upper()}, follow_redirects=True
    )
    assert NEUTRAL in response.get_data(as_text=True)

    message = smtp_server.wait_for(teacher.email)
    assert message["Subject"] == "Reset your Puente password"
    assert "for 1 hour(s)" in body(message)
    link = link_in(message)
    assert link.startswith("https://puente.example.org/password/set/")
    token = db.session.query(SignInToken).filter_by(user_id=teacher.id).one()
    assert token.purpose == TokenPurpose.RESET
    assert timedelta(minutes=59) < token.expires_at - token.created_at <= timedelta(minutes=60)
    assert link.rsplit("/", 1)[1] not in token.token_hash  # only a digest is stored

    page = client.get(_path(link))
    assert page.status_code == 200 and teacher.email in page.get_data(as_text=True)
    response = client.post(_path(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/students/").status_code == 200  # signed in
    assert teacher.check_password(NEW_PASSWORD) and not teacher.check_password(factories.PASSWORD)

    again = client.get(_path(link))
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    actions = [e.action for e in db.session.query(AuditEvent).filter_by(object_id=teacher.id)]
    assert {"auth.password_reset_requested", "auth.password_set"} <= set(actions)
    assert not any(NEW_PASSWORD in str(e.data) for e in db.session.query(AuditEvent))


def test_unknown_email_gets_the_same_answer_and_no_mail(client, smtp_server, world):
    response = client.post(
        "/password/forgot", data={"email": "nobody@example.org"}, follow_redirects=True
    )
    assert response.status_code == 200 and NEUTRAL in response.get_data(as_text=True)
    assert smtp_server.messages == []
    assert db.session.query(SignInToken).count() == 0


def test_reset_mail_is_in_the_users_language(client, smtp_server, world):
    teacher = world["teacher_tx1"]
    teacher.locale = "es"
    db.session.commit()
    client.post("/password/forgot", data={"email": teacher.email})
    message = smtp_server.wait_for(teacher.email)
    assert message["Subject"] == "Restablece tu contraseña de Puente"
    assert "Hola" in body(message)


def test_forgot_password_is_rate_limited(client, smtp_server, world):
    codes = [
        client.post("/password/forgot", data={"email": f"x{i}@example.org"}).status_code
        for i in range(6)
    ]
    assert codes[:5] == [302] * 5 and codes[5] == 429


def test_a_bad_email_is_refused_with_the_reason(client):
    response = client.post("/password/forgot", data={"email": "not-an-email"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)


def test_when_mail_cannot_be_sent_no_code_is_kept(client, world):
    # No SMTP fixture: the configured port is closed. The answer is still the neutral one.
    response = client.post(
        "/password/forgot", data={"email": world["teacher_tx1"].email}, follow_redirects=True
    )
    assert NEUTRAL in response.get_data(as_text=True)
    assert db.session.query(SignInToken).count() == 0
