"""Staff invite a student to sign in: by email (real SMTP) or a printed bilingual sign-in sheet."""

import re

from app.audit.models import AuditEvent
from app.auth.models import SignInToken
from app.extensions import db
from app.users.models import Role, User
from tests import factories
from tests.certificates.helpers import pdf_qr_codes, pdf_text
from tests.smtp import body, link_in

NEW_PASSWORD = "mi escuela en weslaco"


def _path(link: str) -> str:
    return re.sub(r"^https?://[^/]+", "", link)


def _staff_client(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def test_the_record_page_offers_both_ways_to_invite(app, world):
    student = factories.make_student(world["tx1"], with_user=False)
    page = _staff_client(app, world["teacher_tx1"]).get(f"/students/{student.id}")
    text = page.get_data(as_text=True)
    assert "No sign-in yet" in text
    assert "Email a sign-in link" in text and "Print a sign-in sheet (PDF)" in text
    assert "Edit identity" in text
    spanish = _staff_client(app, world["teacher_tx1"]).get(
        f"/students/{student.id}", headers={"Accept-Language": "es-MX"}
    )
    spanish = spanish.get_data(as_text=True)
    assert "Todavía no tiene acceso" in spanish
    assert "Enviar un enlace de acceso por correo" in spanish
    assert "Imprimir una hoja de acceso (PDF)" in spanish


def test_invite_by_email_creates_the_account_and_mails_a_link(app, smtp_server, world):
    student = factories.make_student(
        world["tx1"],
        with_user=False,
        given_name="Rosa",
        family_name="Campos",
        second_family_name="Núñez",
    )
    staff = _staff_client(app, world["teacher_tx1"])
    response = staff.post(f"/students/{student.id}/invite", data={"email": "Rosa@Example.org"})
    assert response.status_code == 302

    db.session.refresh(student)
    user = student.user
    assert (user.role, user.site_id, user.email) == (
        Role.STUDENT,
        student.site_id,
        "rosa@example.org",
    )
    assert re.fullmatch(r"rosa\.campos\.\d{4}", user.username)
    assert user.family_name == "Campos Núñez"
    message = smtp_server.wait_for("rosa@example.org")
    assert message["Subject"] == "You are invited to sign in to Puente"
    assert "Hello Rosa" in body(message) and "for 7 days" in body(message)
    assert "rosa@example.org" in body(message)
    token = db.session.query(SignInToken).filter_by(user_id=user.id).one()
    assert 6 < (token.expires_at - token.created_at).days <= 7

    student_client = app.test_client()
    link = _path(link_in(message))
    response = student_client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert student_client.get("/learn/").status_code == 200
    assert user.check_password(NEW_PASSWORD)
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(student_id=student.id)}
    assert {
        "student.account_created",
        "student.invited",
        "auth.sign_in_code_issued",
        "auth.password_set",
    } <= actions


def test_a_student_at_a_mexican_site_gets_the_invitation_in_spanish(app, smtp_server, world):
    morelia = factories.make_site("MX-MIC")
    maestro = factories.make_user(Role.TEACHER, morelia)
    student = factories.make_student(morelia, with_user=False, given_name="Luis")
    staff = _staff_client(app, maestro)
    staff.post(f"/students/{student.id}/invite", data={"email": "luis@example.org"})
    message = smtp_server.wait_for("luis@example.org")
    assert message["Subject"] == "Te invitamos a entrar a Puente"
    assert "Hola, Luis:" in body(message)


def test_inviting_again_reuses_the_account_and_voids_the_old_link(app, smtp_server, world):
    student = world["student_tx1"]
    user_id = student.user_id
    staff = _staff_client(app, world["teacher_tx1"])
    staff.post(f"/students/{student.id}/invite", data={"email": student.user.email})
    first = _path(link_in(smtp_server.wait_for(student.user.email)))
    staff.post(f"/students/{student.id}/invite", data={"email": student.user.email})
    assert len(smtp_server.to(student.user.email)) == 2
    second = _path(link_in(smtp_server.to(student.user.email)[-1]))
    assert db.session.query(User).filter_by(role=Role.STUDENT, site_id=student.site_id).count() == 1
    db.session.refresh(student)
    assert student.user_id == user_id
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200


def test_an_email_of_another_account_is_refused(app, smtp_server, world):
    student = factories.make_student(world["tx1"], with_user=False)
    staff = _staff_client(app, world["teacher_tx1"])
    taken = world["teacher_tx2"].email
    response = staff.post(f"/students/{student.id}/invite", data={"email": taken})
    assert response.status_code == 409
    assert "Another account already uses the email" in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.user_id is None and smtp_server.messages == []
    bad = staff.post(f"/students/{student.id}/invite", data={"email": "not an email"})
    assert bad.status_code == 400 and "Enter a valid email address." in bad.get_data(as_text=True)


def test_when_the_mail_server_is_down_nothing_is_created(app, world):
    student = factories.make_student(world["tx1"], with_user=False)
    staff = _staff_client(app, world["teacher_tx1"])
    response = staff.post(
        f"/students/{student.id}/invite", data={"email": "down@example.org"}, follow_redirects=True
    )
    assert "could not be reached" in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.user_id is None
    assert db.session.query(User).filter_by(email="down@example.org").count() == 0


def test_the_sign_in_sheet_is_bilingual_with_a_working_qr_code(app, world):
    student = factories.make_student(
        world["tx1"],
        with_user=False,
        given_name="Ana María",
        family_name="García",
        second_family_name="López",
    )
    staff = _staff_client(app, world["teacher_tx1"])
    response = staff.post(f"/students/{student.id}/sign-in-sheet")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    db.session.refresh(student)
    username = student.user.username
    assert re.fullmatch(r"ana\.garcia\.\d{4}", username)

    text = pdf_text(response.data, layout=False)
    assert "Your sign-in to Puente" in text and "Tu acceso a Puente" in text
    assert "Ana María García López" in text
    assert username in text
    assert "https://puente.example.org/password/code" in text
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", text).group(1)
    (qr,) = pdf_qr_codes(response.data)
    assert qr == f"https://puente.example.org/password/set/{code.replace('-', '')}"

    student_client = app.test_client()
    typed = student_client.post("/password/code", data={"code": code.lower()})
    assert typed.headers["Location"] == _path(qr)
    student_client.post(_path(qr), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    response = student_client.post("/login", data={"email": username, "password": NEW_PASSWORD})
    assert response.status_code == 302  # already signed in: sent on to the start page
    fresh = app.test_client()
    assert (
        fresh.post("/login", data={"email": username, "password": NEW_PASSWORD}).status_code == 302
    )
    assert fresh.get("/learn/").status_code == 200


def test_a_new_sheet_voids_the_older_code(app, world):
    student = factories.make_student(world["tx1"], with_user=False)
    staff = _staff_client(app, world["teacher_tx1"])
    first = pdf_qr_codes(staff.post(f"/students/{student.id}/sign-in-sheet").data)[0]
    second = pdf_qr_codes(staff.post(f"/students/{student.id}/sign-in-sheet").data)[0]
    assert first != second
    assert app.test_client().get(_path(first)).status_code == 410
    assert app.test_client().get(_path(second)).status_code == 200
    events = db.session.query(AuditEvent).filter_by(student_id=student.id, action="student.invited")
    assert [e.data["channel"] for e in events] == ["sheet", "sheet"]


def test_staff_elsewhere_cannot_invite_or_print(app, smtp_server, world):
    student = factories.make_student(world["tx1"], with_user=False)
    outsider = _staff_client(app, world["teacher_tx2"])
    assert (
        outsider.post(f"/students/{student.id}/invite", data={"email": "x@example.org"}).status_code
        == 403
    )
    assert outsider.post(f"/students/{student.id}/sign-in-sheet").status_code == 403
    other_state = _staff_client(app, world["coord_nd"])
    assert other_state.post(f"/students/{student.id}/sign-in-sheet").status_code == 403
    db.session.refresh(student)
    assert student.user_id is None and smtp_server.messages == []
