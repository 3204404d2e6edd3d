"""Staff add a student: required names, identifier formats, unique identifiers, a site in scope,
an optional sign-in, and a `student.created` audit event; a refusal writes nothing."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.students.models import Student, StudentKind
from app.students.services import StudentError, add_student
from app.users.models import Role, User
from tests import factories

MSIX = "123456789012"
CURP = "GALA080115MMNRPN09"


def students() -> int:
    return db.session.scalar(select(func.count()).select_from(Student))


def data(site, **changes) -> dict:
    """What the add-student form hands the service, for a student at `site`."""
    values = {
        "given_name": "Ana Sofía",
        "family_name": "García",
        "second_family_name": "López",
        "site_id": site.id,
        "kind": "secondary",
        "grade_level": 10,
        "birth_date": None,
        "msix_id": "",
        "curp": "",
        "state_student_id": "",
        "email": "",
        "password": "",
    }
    return {**values, **changes}


def form(site, **changes) -> dict:
    """The add-student page's fields as posted."""
    fields = data(site, **changes)
    return {k: "" if v is None else str(v) for k, v in fields.items()}


# The service


def test_the_service_adds_the_student_at_the_site_and_audits_it(world):
    teacher = world["teacher_tx1"]
    student = add_student(
        teacher, data(world["tx1"], msix_id=f" {MSIX} ", curp=CURP.lower(), grade_level=9)
    )
    assert (student.site_id, student.given_name, student.family_name) == (
        world["tx1"].id,
        "Ana Sofía",
        "García",
    )
    assert (student.second_family_name, student.kind, student.grade_level) == (
        "López",
        StudentKind.SECONDARY,
        9,
    )
    assert (student.msix_id, student.curp, student.user_id) == (MSIX, CURP, None)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "student.created")
    ).one()
    assert (event.actor_id, event.student_id) == (teacher.id, student.id)
    assert event.data["site"] == world["tx1"].code


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": "  "}, "Enter the given names and the first surname."),
        ({"family_name": ""}, "Enter the given names and the first surname."),
        ({"msix_id": "12345"}, "The MSIX ID must be 12 digits."),
        ({"curp": "GALA08"}, "The CURP must have 18 characters in the official format."),
        ({"grade_level": 13}, "The US grade level must be between 6 and 12."),
        ({"kind": "adult"}, "Choose the kind of student."),
        ({"state_student_id": "9" * 200}, "The state student ID can have at most"),
    ],
)
def test_the_service_refuses_bad_fields_and_writes_nothing(world, changes, message):
    before = students()
    with pytest.raises(StudentError, match=message):
        add_student(world["teacher_tx1"], data(world["tx1"], **changes))
    assert students() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("msix_id", MSIX, "Another student already has this MSIX ID."),
        ("curp", CURP, "Another student already has this CURP."),
    ],
)
def test_an_identifier_belongs_to_one_student_only(world, field, value, message):
    factories.make_student(world["nd"], **{field: value})  # at another state, even
    before = students()
    with pytest.raises(StudentError, match=message):
        add_student(world["teacher_tx1"], data(world["tx1"], **{field: value.lower()}))
    assert students() == before


@pytest.mark.parametrize(
    ("who", "site", "allowed"),
    [
        ("teacher_tx1", "tx1", True),
        ("teacher_tx1", "tx2", False),
        ("coord_tx1", "tx2", False),
        ("coord_tx", "tx2", True),
        ("coord_tx", "nd", False),
        ("admin", "nd", True),
    ],
)
def test_the_site_must_be_in_the_adders_scope(world, who, site, allowed):
    if allowed:
        assert add_student(world[who], data(world[site])).site_id == world[site].id
        return
    before = students()
    with pytest.raises(StudentError, match="Choose one of your sites."):
        add_student(world[who], data(world[site]))
    assert students() == before


def test_a_missing_site_is_refused(world):
    with pytest.raises(StudentError, match="Choose one of your sites."):
        add_student(world["admin"], data(world["tx1"], site_id=None))


def test_a_sign_in_is_made_with_the_student(world):
    student = add_student(
        world["teacher_tx1"],
        data(world["tx1"], email="Ana.Garcia@Example.org", password="un cuaderno largo"),
    )
    user = db.session.get(User, student.user_id)
    assert (user.role, user.site_id, user.email) == (
        Role.STUDENT,
        world["tx1"].id,
        "ana.garcia@example.org",
    )


def test_a_sign_in_email_already_in_use_is_refused(world):
    taken = world["teacher_tx2"].email
    before = students()
    with pytest.raises(StudentError):
        add_student(
            world["teacher_tx1"],
            data(world["tx1"], email=taken, password="un cuaderno largo"),
        )
    assert students() == before


# The page


def test_the_page_offers_only_the_sites_in_scope(client, auth, world):
    auth.login(world["teacher_tx1"])
    page = client.get("/students/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'value="{world["tx1"].id}"' in html
    assert world["tx2"].name not in html and world["nd"].name not in html


def test_the_page_adds_the_student_and_shows_them(client, auth, world):
    auth.login(world["teacher_tx1"])
    response = client.post("/students/new", data=form(world["tx1"], msix_id=MSIX))
    assert response.status_code == 302
    student = db.session.scalars(select(Student).where(Student.msix_id == MSIX)).one()
    assert response.headers["Location"].endswith(f"/students/{student.id}")
    assert student.site_id == world["tx1"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ana Sofía García López was added." in page
    assert db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "student.created", AuditEvent.student_id == student.id)
    )


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"given_name": ""}, 400, "This field is required."),
        ({"msix_id": "12-34"}, 400, "The MSIX ID must be 12 digits."),
        ({"curp": "NOT A CURP"}, 400, "The CURP must have 18 characters in the official format."),
        ({"grade_level": "5"}, 400, "Number must be between 6 and 12."),
        ({"email": "not-an-email"}, 400, "Invalid email address."),
        ({"email": "ana@example.org"}, 400, "A sign-in needs a password of at least 8 characters."),
        ({"curp": CURP}, 400, "Another student already has this CURP."),
    ],
)
def test_the_page_says_what_is_wrong_and_adds_no_one(client, auth, world, changes, status, message):
    factories.make_student(world["tx2"], curp=CURP)
    auth.login(world["teacher_tx1"])
    before = students()
    response = client.post("/students/new", data=form(world["tx1"], **changes))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert students() == before


def test_the_page_refuses_a_site_out_of_scope(client, auth, world):
    auth.login(world["teacher_tx1"])
    before = students()
    response = client.post("/students/new", data=form(world["nd"]))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert students() == before


def test_a_student_cannot_add_students(client, auth, world):
    auth.login(world["student_tx1"].user)
    before = students()
    assert client.post("/students/new", data=form(world["tx1"])).status_code == 403
    assert students() == before
