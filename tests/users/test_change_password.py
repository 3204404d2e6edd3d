"""Changing one's own password on the profile page: current password required, policy applied."""

from app.audit.models import AuditEvent
from app.extensions import db
from tests import factories

NEW = "tres gatos en la azotea"


def _signed_in(app, user, remember=False):
    client = app.test_client()
    data = {"email": user.email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def _change(client, current, new, confirm=None):
    return client.post(
        "/profile/password", data={"current": current, "password": new, "confirm": confirm or new}
    )


def test_the_profile_page_has_the_password_form(app, world):
    page = _signed_in(app, world["student_tx1"].user).get("/profile/").get_data(as_text=True)
    assert "Current password" in page and "Repeat the new password" in page


def test_changing_the_password(app, world):
    user = world["teacher_tx1"]
    client = _signed_in(app, user, remember=True)
    other_device = _signed_in(app, user)
    response = _change(client, factories.PASSWORD, NEW)
    assert response.status_code == 302
    assert client.get("/students/").status_code == 200  # this session carries on
    assert other_device.get("/students/").status_code == 302  # every other one ended
    assert user.check_password(NEW) and not user.check_password(factories.PASSWORD)
    events = db.session.query(AuditEvent).filter_by(action="auth.password_changed")
    assert [e.object_id for e in events] == [user.id]
    assert NEW not in str([e.data for e in db.session.query(AuditEvent)])
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": NEW}).status_code == 302


def test_the_current_password_is_required(app, world):
    user = world["teacher_tx1"]
    client = _signed_in(app, user)
    response = _change(client, "not my password", NEW)
    assert response.status_code == 400
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert user.check_password(factories.PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reason_in_the_users_language(app, world):
    user = world["teacher_tx1"]
    user.locale = "es"
    db.session.commit()
    client = _signed_in(app, user)
    response = _change(client, factories.PASSWORD, "iloveyou")
    assert response.status_code == 400
    assert "Es una de las contraseñas más comunes" in response.get_data(as_text=True)
    mismatch = _change(client, factories.PASSWORD, NEW, "otra cosa distinta")
    assert "Las dos contraseñas no son iguales." in mismatch.get_data(as_text=True)
    db.session.refresh(user)
    assert user.check_password(factories.PASSWORD)
