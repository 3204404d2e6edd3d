"""Admins edit users and sites, remove trusted installations, read and export the audit trail."""

import csv
import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record_event
from app.extensions import db
from app.transfers.models import TrustedIssuer
from app.users.models import Role
from tests import factories
from tests.query_counter import count_queries


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _edit(client, user, **changes):
    data = {
        "given_name": user.given_name,
        "family_name": user.family_name,
        "role": user.role.value,
        "site_id": user.site_id or 0,
        "state_code": user.state_code or "",
        "is_active": "y" if user.is_active else "",
    }
    data.update(changes)
    return client.post(f"/admin/users/{user.id}/edit", data=data)


@pytest.fixture
def admin(client, auth, world):
    auth.login(world["admin"])
    return world["admin"]


def test_an_admin_edits_a_user_and_the_change_is_audited(client, admin, world):
    teacher = world["teacher_tx1"]
    version = teacher.session_version
    response = _edit(client, teacher, given_name="Laura", role="coordinator", state_code="US-TX")
    assert response.status_code == 302, response.get_data(True)[:2000]
    assert teacher.given_name == "Laura" and teacher.role == Role.COORDINATOR
    assert teacher.state_code == "US-TX"  # the site's state
    assert teacher.session_version == version + 1  # their access changed: signed out
    (event,) = _events("user.updated")
    assert event.data["changes"]["role"] == ["teacher", "coordinator"]
    assert event.data["changes"]["given_name"][1] == "Laura"


def test_deactivating_a_user_ends_their_sessions(app, client, admin, world):
    teacher = world["teacher_tx1"]
    other = app.test_client()
    other.post("/login", data={"email": teacher.email, "password": factories.PASSWORD})
    assert other.get("/students/").status_code == 200
    assert _edit(client, teacher, is_active="").status_code == 302
    assert not teacher.is_active
    db.session.commit()
    assert other.get("/students/").status_code == 302  # sent to sign in


def test_the_last_admin_cannot_be_demoted_or_deactivated(client, admin, world):
    response = _edit(client, admin, role="teacher", site_id=world["tx1"].id)
    assert response.status_code == 400
    assert "last active admin" in response.get_data(True)
    assert admin.role == Role.ADMIN
    second = factories.make_user(Role.ADMIN)
    assert _edit(client, second, is_active="").status_code == 302
    assert _edit(client, admin, role="teacher", site_id=world["tx1"].id).status_code == 400
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code in (302, 303)
    assert admin.is_active


def test_an_admin_can_demote_themselves_when_another_admin_remains(client, admin, world):
    factories.make_user(Role.ADMIN)
    response = _edit(client, admin, role="teacher", site_id=world["tx1"].id)
    assert response.status_code == 302
    assert admin.role == Role.TEACHER


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "teacher", "site_id": 0}, "A teacher needs a site."),
        ({"given_name": ""}, "Enter the given names."),
        ({"state_code": "TEXAS"}, "ISO 3166-2"),
    ],
)
def test_a_bad_edit_is_a_400_and_nothing_changes(client, admin, world, changes, message):
    teacher = world["teacher_tx1"]
    response = _edit(client, teacher, **changes)
    assert response.status_code == 400 and message in response.get_data(True)
    db.session.refresh(teacher)
    assert teacher.role == Role.TEACHER and teacher.site_id == world["tx1"].id
    assert not _events("user.updated")


def test_a_students_account_stays_a_student(client, admin, world):
    user = world["student_tx1"].user
    response = _edit(client, user, role="admin")
    assert response.status_code == 400
    assert user.role == Role.STUDENT


def test_an_admin_edits_a_site(client, admin, world):
    site = world["tx2"]
    data = {"code": "tx-pharr", "name": "Pharr Center", "state_code": "US-TX", "city": "Pharr"}
    assert client.post(f"/admin/sites/{site.id}/edit", data=data).status_code == 302
    assert site.code == "TX-PHARR" and site.city == "Pharr"
    (event,) = _events("site.updated")
    assert event.data["changes"]["name"][1] == "Pharr Center"
    taken = dict(data, code=world["tx1"].code)
    response = client.post(f"/admin/sites/{site.id}/edit", data=taken)
    assert response.status_code == 400 and "already has the code" in response.get_data(True)


def _trusted(admin) -> TrustedIssuer:
    row = TrustedIssuer(
        issuer="https://nd.puente.example/issuer",
        name="North Dakota Puente",
        public_key_multibase="z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
        added_by_id=admin.id,
    )
    db.session.add(row)
    db.session.commit()  # as if saved earlier: a refused request rolls back its own work
    return row


def test_removing_a_trusted_installation_needs_a_reason_and_is_audited(client, admin):
    row = _trusted(admin)
    response = client.post(f"/transfers/issuers/{row.id}/remove", data={"reason": ""})
    assert response.status_code == 400
    assert "Say why" in response.get_data(True)
    assert db.session.get(TrustedIssuer, row.id) is not None
    reason = "Their key was lost in a break-in"
    response = client.post(f"/transfers/issuers/{row.id}/remove", data={"reason": reason})
    assert response.status_code == 302
    assert db.session.scalar(select(TrustedIssuer.id)) is None
    (event,) = _events("transfer.issuer_removed")
    assert event.reason == reason and event.data["issuer"] == row.issuer


def _seed_trail(world):
    student = world["student_tx1"]
    teacher = world["teacher_tx1"]
    record_event(teacher, "grade.changed", student, student_id=student.id, reason="=HYPERLINK()")
    record_event(
        world["coord_nd"], "credit.awarded", world["student_nd"], student_id=world["student_nd"].id
    )
    db.session.flush()
    return student, teacher


def _listed(client, **filters) -> str:
    """The audit table of the page for these filters (not the filter form's list of actions)."""
    page = client.get("/admin/audit", query_string=filters).get_data(True)
    return page.split('data-testid="audit"', 1)[1]


def test_the_audit_trail_filters_by_who_what_and_which_student(client, admin, world):
    student, teacher = _seed_trail(world)
    table = _listed(client, who=teacher.family_name)
    assert "grade.changed" in table and "credit.awarded" not in table
    table = _listed(client, action="credit.awarded")
    assert "credit.awarded" in table and "grade.changed" not in table
    table = _listed(client, student=student.id)
    assert "grade.changed" in table and "credit.awarded" not in table
    assert student.full_name in table
    table = _listed(client, student=student.family_name)
    assert "grade.changed" in table and "credit.awarded" not in table
    assert "No events match." in _listed(client, until="2000-01-01")


def test_the_audit_trail_page_has_a_fixed_number_of_queries(client, admin, world):
    _seed_trail(world)
    client.get("/admin/audit")
    with count_queries() as few:
        client.get("/admin/audit")
    for key in ("tx2", "nd"):
        other = factories.make_user(Role.TEACHER, world[key])
        record_event(
            other, "grade.changed", world[f"student_{key}"], student_id=world[f"student_{key}"].id
        )
    db.session.commit()  # the test's rows, not the page's work (a commit counts its sites)
    with count_queries() as more:
        client.get("/admin/audit")
    assert len(more) == len(few)


def test_the_audit_csv_has_the_filters_and_no_formula(client, admin, world):
    student, _teacher = _seed_trail(world)
    response = client.get("/admin/audit.csv", query_string={"student": student.id})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(True).lstrip("\ufeff"))))
    assert [row["action"] for row in rows] == ["grade.changed"]
    assert rows[0]["reason"] == "'=HYPERLINK()"
    assert rows[0]["student_name"] == student.full_name
    (event,) = _events("audit.exported")
    assert event.data["filters"] == {"student": str(student.id)}


def test_the_audit_trail_counts_no_further_than_the_cap(app, client, admin, monkeypatch):
    """A list paged by offset reads the page and counts at most LIST_COUNT_CAP rows past it:
    the page says "more than" instead of counting the whole trail."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 4)
    for number in range(12):
        record_event(admin, "site.updated", admin, n=number)
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert events >= 12
    first = client.get("/admin/audit").get_data(as_text=True)
    assert "Page 1 of more than 2" in first
    with count_queries() as queries:
        third = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert "Page 3 of more than 4" in third
    assert any("LIMIT" in sql and "count(*)" in sql for sql in queries)
    last_page = (events + 1) // 2
    last = client.get(f"/admin/audit?page={last_page}").get_data(as_text=True)
    assert f"Page {last_page} of {last_page}" in last
    past = client.get("/admin/audit?page=999999").get_data(as_text=True)
    assert f"Page {last_page} of {last_page}" in past and "No events match." not in past


def test_the_audit_trail_shows_details_as_written(client, admin):
    record_event(admin, "site.updated", admin, name="Escuela Secundaria Técnica 24")
    db.session.commit()
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Escuela Secundaria Técnica 24" in page and "\\u00e9" not in page
    spanish = client.get("/admin/audit", headers={"Accept-Language": "es"})
    assert '<label for="since">Desde</label>' in spanish.get_data(as_text=True)
