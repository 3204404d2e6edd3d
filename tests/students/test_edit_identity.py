"""Staff edit a student's identity: both surnames, identifiers in one format module, audited."""

from datetime import date, timedelta

import pytest

from app.audit.models import AuditEvent
from app.extensions import db
from app.students.models import Student, StudentKind
from tests import factories

CURP = "GALA080115MMNRPN09"


def _staff(app, user):
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": user.email, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    return client


def _form(student: Student, **changes) -> dict:
    data = {
        "given_name": student.given_name,
        "family_name": student.family_name,
        "second_family_name": student.second_family_name or "",
        "birth_date": student.birth_date.isoformat() if student.birth_date else "",
        "kind": student.kind.value,
        "grade_level": student.grade_level or "",
        "msix_id": student.msix_id or "",
        "curp": student.curp or "",
        "state_student_id": student.state_student_id or "",
    }
    return {**data, **changes}


@pytest.fixture
def student(world):
    return factories.make_student(
        world["tx1"], given_name="Ana", family_name="García", birth_date=date(2009, 3, 14)
    )


def test_the_edit_page_shows_every_field_in_both_languages(app, student, world):
    staff = _staff(app, world["teacher_tx1"])
    english = staff.get(f"/students/{student.id}/edit").get_data(as_text=True)
    assert "First surname" in english and "Second surname (optional)" in english
    assert 'value="García"' in english and "2009-03-14" in english
    spanish = staff.get(f"/students/{student.id}/edit", headers={"Accept-Language": "es"})
    spanish = spanish.get_data(as_text=True)
    assert "Primer apellido" in spanish and "Segundo apellido (opcional)" in spanish


def test_an_edit_is_saved_and_audited_field_by_field(app, student, world):
    staff = _staff(app, world["teacher_tx1"])
    response = staff.post(
        f"/students/{student.id}/edit",
        data=_form(
            student,
            second_family_name="López",
            curp=CURP.lower(),
            msix_id="123456789012",
            kind="osy",
            grade_level="",
            state_student_id=" TX-1 ",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.full_name == "Ana García López"
    assert (student.curp, student.msix_id, student.kind) == (CURP, "123456789012", StudentKind.OSY)
    assert student.grade_level is None and student.state_student_id == "TX-1"
    assert student.user.family_name == "García López"
    (event,) = db.session.query(AuditEvent).filter_by(
        action="student.identity_changed", student_id=student.id
    )
    assert event.actor_id == world["teacher_tx1"].id
    assert event.data["changes"] == {
        "second_family_name": [None, "López"],
        "kind": ["secondary", "osy"],
        "grade_level": [10, None],
        "msix_id": [None, "123456789012"],
        "curp": [None, CURP],
        "state_student_id": [None, "TX-1"],
    }
    detail = staff.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Ana García López" in detail


def test_saving_without_changes_writes_no_audit_event(app, student, world):
    staff = _staff(app, world["teacher_tx1"])
    assert staff.post(f"/students/{student.id}/edit", data=_form(student)).status_code == 302
    assert db.session.query(AuditEvent).filter_by(action="student.identity_changed").count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"curp": "GALA08011"}, "The CURP must have 18 characters in the official format."),
        (
            {"curp": "GALA080115QMNRPN09"},
            "The CURP must have 18 characters in the official format.",
        ),
        ({"msix_id": "12345"}, "The MSIX ID must be 12 digits."),
        ({"msix_id": "12345678901a"}, "The MSIX ID must be 12 digits."),
        ({"given_name": ""}, "This field is required."),
        ({"grade_level": "13"}, "Number must be between 6 and 12."),
        (
            {"birth_date": (date.today() + timedelta(days=30)).isoformat()},
            "The date of birth cannot be in the future.",
        ),
        ({"birth_date": "1950-01-01"}, "The date of birth must be between"),
    ],
)
def test_bad_input_is_refused_with_the_reason_and_nothing_changes(
    app, student, world, changes, message
):
    staff = _staff(app, world["teacher_tx1"])
    response = staff.post(
        f"/students/{student.id}/edit", data=_form(student, family_name="Changed", **changes)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.family_name == "García"


def test_identifiers_of_another_student_are_refused(app, student, world):
    factories.make_student(world["tx2"], msix_id="123456789012", curp=CURP)
    staff = _staff(app, world["teacher_tx1"])
    for field, value, message in (
        ("msix_id", "123456789012", "this MSIX ID"),
        ("curp", CURP.lower(), "this CURP"),
    ):
        response = staff.post(
            f"/students/{student.id}/edit",
            data=_form(student, family_name="Changed", **{field: value}),
        )
        assert response.status_code == 400
        assert f"Another student already has {message}." in response.get_data(as_text=True)
    db.session.refresh(student)
    assert (student.family_name, student.msix_id, student.curp) == ("García", None, None)


def test_a_student_keeps_their_own_identifiers_on_edit(app, world):
    student = factories.make_student(world["tx1"], msix_id="123456789012", curp=CURP)
    staff = _staff(app, world["teacher_tx1"])
    response = staff.post(f"/students/{student.id}/edit", data=_form(student, given_name="Rosa"))
    assert response.status_code == 302


def test_staff_elsewhere_cannot_edit(app, student, world):
    for who in ("teacher_tx2", "coord_nd"):
        staff = _staff(app, world[who])
        assert staff.get(f"/students/{student.id}/edit").status_code == 403
        assert (
            staff.post(
                f"/students/{student.id}/edit", data=_form(student, given_name="X")
            ).status_code
            == 403
        )
    student_client = _staff(app, student.user)
    assert student_client.get(f"/students/{student.id}/edit").status_code == 403
    db.session.refresh(student)
    assert student.given_name == "Ana"


def test_the_add_form_takes_the_second_surname_and_the_same_formats(app, world):
    staff = _staff(app, world["teacher_tx1"])
    page = staff.get("/students/new").get_data(as_text=True)
    assert "Second surname (optional)" in page
    data = {
        "given_name": "Luis",
        "family_name": "Hernández",
        "second_family_name": "Ruiz",
        "site_id": world["tx1"].id,
        "kind": "secondary",
        "curp": CURP.lower(),
    }
    assert staff.post("/students/new", data={**data, "msix_id": "123"}).status_code == 400
    response = staff.post("/students/new", data=data)
    assert response.status_code == 302
    added = db.session.query(Student).filter_by(curp=CURP).one()
    assert added.full_name == "Luis Hernández Ruiz"
    again = staff.post("/students/new", data=data)
    assert again.status_code == 400
    assert "Another student already has this CURP." in again.get_data(as_text=True)


def test_adding_a_student_with_a_common_password_is_refused(app, world):
    staff = _staff(app, world["teacher_tx1"])
    data = {
        "given_name": "Luis",
        "family_name": "Ruiz",
        "site_id": world["tx1"].id,
        "kind": "secondary",
        "email": "luis.ruiz@example.org",
        "password": "password1",
    }
    response = staff.post("/students/new", data=data)
    assert response.status_code == 400
    assert "one of the most common passwords" in response.get_data(as_text=True)
    assert db.session.query(Student).filter_by(family_name="Ruiz").count() == 0
