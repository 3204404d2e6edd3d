"""Sign-out ends the session on the server: copied session and remember-me cookies stop working."""

from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories


def _sign_in(client, user, remember: bool = False):
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302


def _cookies(client) -> dict[str, str]:
    return {
        name: client.get_cookie(name).value
        for name in ("session", "remember_token")
        if client.get_cookie(name) is not None
    }


def _replay(app, cookies: dict[str, str]):
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief.get("/students/")


def test_replayed_cookies_work_before_sign_out(app, client, world):
    _sign_in(client, world["teacher_tx1"], remember=True)
    assert _replay(app, _cookies(client)).status_code == 200


def test_sign_out_ends_the_session_and_the_remember_me_cookie(app, client, world):
    teacher = world["teacher_tx1"]
    _sign_in(client, teacher, remember=True)
    copied = _cookies(client)
    assert set(copied) == {"session", "remember_token"}
    assert client.post("/logout").status_code == 302

    assert _replay(app, copied).headers["Location"].startswith("/login")
    assert _replay(app, {"remember_token": copied["remember_token"]}).status_code == 302
    assert _replay(app, {"session": copied["session"]}).status_code == 302
    assert (
        db.session.query(AuditEvent)
        .filter_by(action="auth.signed_out", object_id=teacher.id)
        .count()
        == 1
    )


def test_signing_out_on_one_device_ends_the_others(app, world):
    teacher = world["teacher_tx1"]
    phone, laptop = app.test_client(), app.test_client()
    _sign_in(phone, teacher)
    _sign_in(laptop, teacher, remember=True)
    phone.post("/logout")
    assert laptop.get("/students/").status_code == 302


def test_a_session_from_an_old_bare_user_id_is_not_accepted(app, world):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(world["teacher_tx1"].id)
    assert client.get("/students/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(app, client, world):
    teacher = world["teacher_tx1"]
    _sign_in(client, teacher)
    teacher.is_active = False
    db.session.commit()
    assert client.get("/students/").status_code == 302
