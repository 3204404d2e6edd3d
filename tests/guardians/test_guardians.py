"""Guardians: invited by staff of the student's site, Spanish first, read-only, their own
children only; link and unlink in the audit trail."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.guardians.models import GuardianLink
from app.users.models import Role, User
from tests import factories
from tests.smtp import body, link_in


def invite(client, student, **data):
    form = {"email": "madre@example.org", "given_name": "Rosa", "family_name": "Campos", **data}
    fields = {f"guardian-{name}": value for name, value in form.items()}
    return client.post(f"/family/students/{student.id}/guardians", data=fields)


def test_staff_invite_a_new_guardian_in_spanish_who_sets_a_password(
    client, auth, world, smtp_server
):
    student = world["student_tx1"]
    auth.login(world["teacher_tx1"])
    response = invite(client, student, relation="madre")
    assert response.status_code == 303
    guardian = db.session.scalar(select(User).where(User.email == "madre@example.org"))
    assert guardian.role == Role.GUARDIAN and guardian.locale == "es" and guardian.site_id is None
    message = smtp_server.wait_for("madre@example.org")
    assert "Hola, Rosa" in body(message)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guardian.linked"))
    assert event.student_id == student.id and event.actor_id == world["teacher_tx1"].id
    auth.logout()
    link = link_in(message).removeprefix("https://puente.example.org")
    done = client.post(link, data={"password": "mi cuaderno rojo", "confirm": "mi cuaderno rojo"})
    assert done.status_code == 302
    home = client.get("/", follow_redirects=True)
    page = home.get_data(as_text=True)
    assert home.request.path == "/family/" and "Mi familia" in page and student.full_name in page


def test_a_guardian_reads_their_child_and_nothing_else(client, auth, world, smtp_server):
    child, other = world["student_tx1"], world["student_tx2"]
    enrollment = factories.make_enrollment(child, world["course"])
    factories.pass_unit(enrollment.units[0])
    auth.login(world["teacher_tx1"])
    invite(client, child)
    guardian = db.session.scalar(select(User).where(User.email == "madre@example.org"))
    guardian.set_password(factories.PASSWORD)
    db.session.commit()
    auth.logout()
    auth.login(guardian)
    page = client.get(f"/family/students/{child.id}").get_data(as_text=True)
    assert page.count('data-testid="family-unit"') == len(enrollment.units)
    total = len(enrollment.units)
    assert f"1 de {total} unidades aprobadas" in page and "Boleta de calificaciones" in page
    assert client.get(f"/family/students/{other.id}").status_code == 404
    # the unofficial grade report, page and PDF, of their child only
    report = client.get(f"/credits/students/{child.id}/grade-report")
    assert report.status_code == 200 and "no oficial" in report.get_data(as_text=True).lower()
    assert (
        client.get(f"/credits/students/{child.id}/grade-report.pdf").mimetype == "application/pdf"
    )
    assert client.get(f"/credits/students/{other.id}/grade-report").status_code == 403
    assert client.get(f"/students/{child.id}").status_code == 403
    assert client.get("/grading/").status_code == 403


def test_a_staff_email_cannot_become_a_guardian_and_nothing_is_written(client, auth, world):
    auth.login(world["teacher_tx1"])
    response = invite(client, world["student_tx1"], email=world["teacher_tx2"].email)
    assert response.status_code == 409
    assert "is not a guardian" in response.get_data(as_text=True)
    nameless = invite(client, world["student_tx1"], given_name="", family_name="")
    assert nameless.status_code == 422
    assert "Enter the guardian" in nameless.get_data(as_text=True)
    bad = invite(client, world["student_tx1"], email="not-an-email")
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.get_data(as_text=True)
    assert db.session.scalar(select(GuardianLink)) is None
    assert db.session.scalar(select(User).where(User.role == Role.GUARDIAN)) is None


def test_one_guardian_many_children_and_unlink_is_audited(client, auth, world, smtp_server):
    first = world["student_tx1"]
    second = factories.make_student(world["tx1"])
    auth.login(world["teacher_tx1"])
    invite(client, first)
    invite(client, second)
    again = invite(client, second)
    assert again.status_code == 409 and "already linked" in again.get_data(as_text=True)
    links = db.session.scalars(select(GuardianLink).order_by(GuardianLink.id)).all()
    assert [link.student_id for link in links] == [first.id, second.id]
    assert len(smtp_server.to("madre@example.org")) == 1  # the account is invited once
    refused = client.post(f"/family/links/{links[0].id}/remove", data={"link": str(links[1].id)})
    assert refused.status_code == 400
    removed = client.post(f"/family/links/{links[0].id}/remove", data={"link": str(links[0].id)})
    assert removed.status_code == 303
    assert db.session.get(GuardianLink, links[0].id) is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "guardian.unlinked"))
    assert event.student_id == first.id and event.data["guardian"] == links[1].guardian_id
