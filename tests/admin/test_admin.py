"""Admin pages: users (list, create, deactivate, reactivate) and sites (list, create)."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.sites.models import Site
from app.users.models import Role, User
from tests import factories


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


NEW_TEACHER = {
    "role": "teacher",
    "given_name": "Rosa",
    "family_name": "Méndez",
    "email": "Rosa.Mendez@Example.org",
    "password": "long enough 1",
    "state_code": "",
}


@pytest.mark.parametrize("who", ["teacher_tx1", "coord_tx", "student_tx1"])
@pytest.mark.parametrize(
    "path", ["/admin/users", "/admin/users/new", "/admin/sites", "/admin/sites/new"]
)
def test_only_admins_see_admin_pages(client, auth, world, who, path):
    user = world[who].user if who.startswith("student") else world[who]
    auth.login(user)
    assert client.get(path).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_user_list_searches_and_filters_by_role(client, auth, world):
    auth.login(world["admin"])
    teacher = world["teacher_nd"]
    page = client.get("/admin/users", query_string={"q": teacher.family_name}).get_data(True)
    assert teacher.email in page and world["teacher_tx1"].email not in page
    page = client.get("/admin/users", query_string={"role": "coordinator"}).get_data(True)
    assert world["coord_nd"].email in page and teacher.email not in page


def test_user_list_is_paginated(app, client, auth, world):
    auth.login(world["admin"])
    for _ in range(app.config["PAGE_SIZE"]):
        factories.make_user(Role.TEACHER, world["tx1"])
    page = client.get("/admin/users", query_string={"role": "teacher"}).get_data(True)
    assert 'rel="next"' in page
    second = client.get("/admin/users", query_string={"role": "teacher", "page": 2})
    assert second.status_code == 200 and 'rel="prev"' in second.get_data(True)


def test_admin_creates_a_teacher_who_can_sign_in(client, auth, world):
    auth.login(world["admin"])
    data = dict(NEW_TEACHER, site_id=world["tx1"].id)
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    user = _user("rosa.mendez@example.org")
    assert user.role == Role.TEACHER and user.site_id == world["tx1"].id and user.state_code is None
    assert [e.object_id for e in _events("user.created")] == [user.id]
    auth.logout()
    auth.login(user, password="long enough 1")


def test_a_teacher_needs_a_site(client, auth, world):
    auth.login(world["admin"])
    response = client.post("/admin/users/new", data=dict(NEW_TEACHER, site_id=0))
    assert response.status_code == 400
    assert "A teacher needs a site." in response.get_data(True)
    assert _user("rosa.mendez@example.org") is None


def test_state_coordinator_needs_an_iso_state_code(client, auth, world):
    auth.login(world["admin"])
    data = dict(NEW_TEACHER, role="coordinator", site_id=0, state_code="Texas")
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    assert "ISO 3166-2" in response.get_data(True)
    data["state_code"] = "mx-mic"
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = _user("rosa.mendez@example.org")
    assert user.role == Role.COORDINATOR and user.state_code == "MX-MIC" and user.site_id is None


def test_site_coordinator_takes_the_sites_state(client, auth, world):
    auth.login(world["admin"])
    data = dict(NEW_TEACHER, role="coordinator", site_id=world["nd"].id)
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert _user("rosa.mendez@example.org").state_code == "US-ND"


def test_short_password_and_taken_email_are_refused(client, auth, world):
    auth.login(world["admin"])
    response = client.post(
        "/admin/users/new", data=dict(NEW_TEACHER, site_id=world["tx1"].id, password="short")
    )
    assert response.status_code == 400
    assert "at least 8 characters" in response.get_data(True)
    taken = dict(NEW_TEACHER, site_id=world["tx1"].id, email=world["teacher_nd"].email.upper())
    response = client.post("/admin/users/new", data=taken)
    assert response.status_code == 400
    assert "A user with this email already exists." in response.get_data(True)
    assert _user("rosa.mendez@example.org") is None


def test_students_are_not_created_from_the_user_form(client, auth, world):
    auth.login(world["admin"])
    response = client.post(
        "/admin/users/new", data=dict(NEW_TEACHER, role="student", site_id=world["tx1"].id)
    )
    assert response.status_code == 400
    assert _user("rosa.mendez@example.org") is None


def test_deactivate_ends_sign_in_and_reactivate_restores_it(client, auth, world):
    teacher = world["teacher_tx2"]
    auth.login(world["admin"])
    assert client.post(f"/admin/users/{teacher.id}/deactivate").status_code == 302
    assert teacher.is_active is False
    assert [e.object_id for e in _events("user.deactivated")] == [teacher.id]
    auth.logout()
    response = client.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert response.status_code == 401
    auth.login(world["admin"])
    assert client.post(f"/admin/users/{teacher.id}/reactivate").status_code == 302
    assert teacher.is_active is True and len(_events("user.reactivated")) == 1


def test_a_deactivated_users_session_ends(client, auth, world):
    teacher = world["teacher_tx2"]
    auth.login(teacher)
    assert client.get("/students/").status_code == 200
    teacher.is_active = False
    db.session.flush()
    response = client.get("/students/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_cannot_deactivate_themself(client, auth, world):
    admin = world["admin"]
    auth.login(admin)
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(True)
    assert admin.is_active is True and _events("user.deactivated") == []


def test_deactivating_a_missing_user_is_404(client, auth, world):
    auth.login(world["admin"])
    assert client.post("/admin/users/999999/deactivate").status_code == 404


def test_admin_creates_a_site(client, auth, world):
    auth.login(world["admin"])
    data = {"code": " tx-pharr ", "name": "Pharr ISD", "state_code": "us-tx", "city": "Pharr"}
    assert client.post("/admin/sites/new", data=data).status_code == 302
    site = db.session.scalar(select(Site).where(Site.code == "TX-PHARR"))
    assert (site.name, site.state_code, site.city) == ("Pharr ISD", "US-TX", "Pharr")
    assert [e.object_id for e in _events("site.created")] == [site.id]
    page = client.get("/admin/sites", query_string={"q": "pharr"}).get_data(True)
    assert "TX-PHARR" in page and world["nd"].code not in page


@pytest.mark.parametrize("state_code", ["TX", "US-TEX", "MX-MI", "US_TX", "Texas"])
def test_site_state_code_must_be_iso_3166_2(client, auth, world, state_code):
    auth.login(world["admin"])
    data = {"code": "NEW1", "name": "New", "state_code": state_code}
    response = client.post("/admin/sites/new", data=data)
    assert response.status_code == 400
    assert "Use an ISO 3166-2 code such as US-TX or MX-MIC." in response.get_data(True)
    assert db.session.scalar(select(Site).where(Site.code == "NEW1")) is None


def test_site_code_must_be_unique(client, auth, world):
    auth.login(world["admin"])
    data = {"code": world["tx1"].code.lower(), "name": "Copy", "state_code": "US-TX"}
    response = client.post("/admin/sites/new", data=data)
    assert response.status_code == 400
    assert f"Another site already has the code {world['tx1'].code}." in response.get_data(True)
