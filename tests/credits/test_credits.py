"""Credit: the course result page, awards (full, partial, California), supersession, the list."""

import re
from decimal import Decimal

import pytest

from app.audit.models import AuditEvent
from app.credits.models import CreditAward
from app.credits.services import CreditError, award_credit
from app.extensions import db
from app.moves.services import move_student
from app.users.models import Role
from tests import factories
from tests.grading.helpers import unit_scores
from tests.query_counter import count_queries


def _enrollment(world, site_key="tx1", percents=(), student=None):
    student = student or factories.make_student(world[site_key])
    enrollment = factories.make_enrollment(student, world["course"])
    unit_scores(enrollment, world[f"teacher_{site_key}"], percents)
    return enrollment


def _awards(enrollment):
    return (
        db.session.query(CreditAward)
        .filter_by(enrollment_id=enrollment.id)
        .order_by(CreditAward.id)
        .all()
    )


def _listed(response) -> set[int]:
    return {int(n) for n in re.findall(r'data-enrollment="(\d+)"', response.get_data(as_text=True))}


def _award(client, enrollment):
    return client.post(f"/credits/enrollments/{enrollment.id}/award")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("percents", "credit", "kind", "letter", "sep"),
    [
        ((80, 85, 90, 95, 100), Decimal("0.5"), "Full credit", "A", 9.0),
        ((90, 70, 60), Decimal("0.3"), "Partial credit", "C", 7.3),
        ((80, 80, 80, 80, 50), Decimal("0.5"), "Full credit", "C", 7.4),
    ],
)
def test_award_computes_the_credit_on_the_server(
    client, auth, world, percents, credit, kind, letter, sep
):
    enrollment = _enrollment(world, percents=percents)
    auth.login(world["coord_tx"])
    page = _text(client.get(f"/credits/enrollments/{enrollment.id}").get_data(as_text=True))
    assert kind in page and f"SEP (Mexico, 0–10) {sep}" in page and f"US letter {letter}" in page
    assert "Carnegie units" in page
    # Whatever the form says, the credit comes from the rules.
    response = client.post(
        f"/credits/enrollments/{enrollment.id}/award", data={"credit": "9", "units_passed": "5"}
    )
    assert response.status_code == 302
    (award,) = _awards(enrollment)
    assert award.credit == credit and award.letter == letter and award.sep_grade == sep
    assert award.is_partial is (kind == "Partial credit") and award.credit_system == "carnegie"
    assert award.state_code == "US-TX" and award.site_id == world["tx1"].id
    assert award.awarded_by_id == world["coord_tx"].id and award.superseded_at is None
    event = db.session.query(AuditEvent).filter_by(action="credit.awarded").one()
    assert event.object_id == award.id and event.data["credit"] == float(credit)


def test_california_student_earns_five_credits_or_one_a_unit(client, auth):
    site = factories.make_site("US-CA")
    teacher = factories.make_user(Role.TEACHER, site)
    coordinator = factories.make_user(Role.COORDINATOR, state_code="US-CA")
    course = factories.make_course_version()
    full = factories.make_enrollment(factories.make_student(site), course)
    unit_scores(full, teacher, (70, 70, 70, 70, 70))
    partial = factories.make_enrollment(factories.make_student(site), course)
    unit_scores(partial, teacher, (70, 70, 70))
    auth.login(coordinator)
    page = _text(client.get(f"/credits/enrollments/{full.id}").get_data(as_text=True))
    assert "Credit 5 " in page and "California semester credits" in page
    assert _award(client, full).status_code == 302 and _award(client, partial).status_code == 302
    assert [(a.credit, a.credit_system) for a in _awards(full)] == [(5.0, "california")]
    assert [(a.credit, a.is_partial) for a in _awards(partial)] == [(3.0, True)]


def test_reassessment_warning_when_units_1_to_3_fail(client, auth, world):
    enrollment = _enrollment(world, percents=(40, 30, 50))
    auth.login(world["coord_tx"])
    page = client.get(f"/credits/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "re-assess the student" in page
    assert "Credit can be awarded once a unit is passed." in page


def test_no_credit_without_a_passed_unit(client, auth, world, app):
    enrollment = _enrollment(world, percents=(40,))
    auth.login(world["coord_tx"])
    response = _award(client, enrollment)
    assert response.status_code == 409
    assert "No unit is passed yet" in response.get_data(as_text=True)
    assert _awards(enrollment) == []
    with app.test_request_context(), pytest.raises(CreditError):
        award_credit(enrollment, world["coord_tx"])


def test_new_award_supersedes_the_earlier_one(client, auth, world):
    enrollment = _enrollment(world, percents=(80, 80, 80))
    auth.login(world["coord_tx"])
    assert _award(client, enrollment).status_code == 302
    again = _award(client, enrollment)
    assert again.status_code == 409 and "already awarded" in again.get_data(as_text=True)
    unit_scores(enrollment, world["teacher_tx1"], (None, None, None, 90, 90))
    assert _award(client, enrollment).status_code == 302
    db.session.expire_all()
    first, second = _awards(enrollment)
    assert (first.credit, first.is_partial) == (
        Decimal("0.3"),
        True,
    ) and first.superseded_at is not None
    assert (second.credit, second.is_partial) == (0.5, False) and second.superseded_at is None
    event = db.session.query(AuditEvent).filter_by(action="credit.awarded", object_id=second.id)
    assert event.one().data["superseded"] == first.id
    page = client.get(f"/credits/enrollments/{enrollment.id}").get_data(as_text=True)
    assert "superseded" in page and "This result is already awarded." in page


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("teacher_tx1", 403),
        ("student_tx1", 403),
        ("coord_nd", 403),
        ("coord_tx1", 200),
        ("admin", 200),
    ],
)
def test_only_coordinators_in_scope_award_credit(client, auth, world, user, code):
    enrollment = _enrollment(world, percents=(80,))
    person = world[user]
    auth.login(getattr(person, "user", None) or person)
    assert client.get(f"/credits/enrollments/{enrollment.id}").status_code == code
    assert _award(client, enrollment).status_code == (302 if code == 200 else code)
    assert len(_awards(enrollment)) == (1 if code == 200 else 0)


def test_teachers_cannot_open_the_credit_list(client, auth, world):
    auth.login(world["teacher_tx1"])
    assert client.get("/credits/").status_code == 403


def test_ready_list_shows_unawarded_results_in_scope(client, auth, world):
    ready = _enrollment(world, percents=(80, 70))
    nothing_passed = _enrollment(world, percents=(40,))
    other_state = _enrollment(world, "nd", percents=(90,))
    awarded = _enrollment(world, percents=(90, 90))
    auth.login(world["coord_tx"])
    assert _award(client, awarded).status_code == 302
    assert _listed(client.get("/credits/")) == {ready.id}
    # A new score changes the result (even with no new unit passed): it is ready again.
    unit_scores(awarded, world["teacher_tx1"], (None, None, 40))
    db.session.commit()
    assert _listed(client.get("/credits/")) == {ready.id, awarded.id}
    auth.logout()
    auth.login(world["coord_nd"])
    assert _listed(client.get("/credits/")) == {other_state.id}
    assert nothing_passed.id not in _listed(client.get("/credits/"))


def test_an_award_made_in_another_state_leaves_the_result_ready_here(client, auth, world):
    moved = _enrollment(world, "nd", percents=(85, 85))
    auth.login(world["coord_nd"])
    assert _award(client, moved).status_code == 302
    assert moved.id not in _listed(client.get("/credits/"))
    auth.logout()
    move_student(moved.student, world["tx1"])
    db.session.commit()
    auth.login(world["coord_tx"])
    assert _listed(client.get("/credits/")) == {moved.id}  # Texas has not awarded it yet
    assert _award(client, moved).status_code == 302
    assert moved.id not in _listed(client.get("/credits/"))


def test_ready_list_filters(client, auth, world):
    other_course = factories.make_course_version()
    complete = _enrollment(world, percents=(80, 80, 80, 80, 80))
    partial = _enrollment(world, "tx2", percents=(80,))
    elsewhere = factories.make_enrollment(factories.make_student(world["tx1"]), other_course)
    unit_scores(elsewhere, world["teacher_tx1"], (75,))
    auth.login(world["coord_tx"])
    assert _listed(client.get("/credits/?kind=complete")) == {complete.id}
    assert _listed(client.get("/credits/?kind=partial")) == {partial.id, elsewhere.id}
    assert _listed(client.get(f"/credits/?site={world['tx2'].id}")) == {partial.id}
    assert _listed(client.get(f"/credits/?course={other_course.course_id}")) == {elsewhere.id}


def test_ready_list_query_count_does_not_grow(client, auth, world):
    auth.login(world["admin"])

    def add(n):
        for _ in range(n):
            site = factories.make_site("US-TX")
            teacher = factories.make_user(Role.TEACHER, site)
            enrollment = factories.make_enrollment(
                factories.make_student(site), factories.make_course_version(units=3)
            )
            unit_scores(enrollment, teacher, (80,))
        db.session.expire_all()

    add(2)
    with count_queries() as few:
        assert len(_listed(client.get("/credits/"))) == 2
    add(10)
    with count_queries() as many:
        assert len(_listed(client.get("/credits/"))) == 12
    assert len(few) > 3 and len(many) == len(few), "\n".join(many)
