"""Contract of study: written by staff in scope, acknowledged, printed bilingual, a running record."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.contracts.models import StudyContract
from app.contracts.services import (
    acknowledge_contract,
    contract_progress,
    current_acknowledgement,
    find_contract,
)
from app.extensions import db
from tests import factories
from tests.certificates.helpers import pdf_text
from tests.query_counter import count_queries

TODAY = date.today()


def _form(world, enrollment, **extra) -> dict:
    data = {
        "mentor_id": world["teacher_tx1"].id,
        "weekly_hours": "2",
        "meeting_time": "Tuesdays 4 pm",
        "starts_on": (TODAY - timedelta(days=30)).isoformat(),
        f"course-{enrollment.id}": "1",
        f"target-{enrollment.id}": (TODAY + timedelta(days=60)).isoformat(),
        f"unit-{enrollment.id}-1": (TODAY - timedelta(days=10)).isoformat(),
        f"unit-{enrollment.id}-2": (TODAY - timedelta(days=5)).isoformat(),
        f"unit-{enrollment.id}-3": (TODAY + timedelta(days=20)).isoformat(),
    }
    data.update(extra)
    return data


@pytest.fixture
def enrollment(world):
    return factories.make_enrollment(world["student_tx1"], world["course"], world["teacher_tx1"])


def _write(client, auth, world, enrollment, **extra):
    auth.login(world["teacher_tx1"])
    url = f"/contracts/students/{world['student_tx1'].id}/edit"
    return client.post(url, data=_form(world, enrollment, **extra))


def test_a_teacher_writes_the_contract_and_the_audit_trail_keeps_it(
    client, auth, world, enrollment
):
    response = _write(client, auth, world, enrollment)
    assert response.status_code == 302, response.get_data(True)[:2000]
    contract = find_contract(world["student_tx1"])
    assert contract.weekly_hours == 2 and contract.mentor_id == world["teacher_tx1"].id
    (course,) = contract.courses
    assert [t.unit_number for t in course.unit_targets] == [1, 2, 3]
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "contract.created")
    ).all()
    assert event.student_id == world["student_tx1"].id
    assert event.data["after"]["weekly_hours"] == 2


def test_an_edit_is_a_new_revision_with_before_and_after(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    response = _write(client, auth, world, enrollment, weekly_hours="3", revision="1")
    assert response.status_code == 302
    contract = find_contract(world["student_tx1"])
    assert contract.revision == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contract.updated"))
    assert event.data["before"]["weekly_hours"] == 2 and event.data["after"]["weekly_hours"] == 3


def test_a_save_from_a_stale_page_is_refused(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    _write(client, auth, world, enrollment, weekly_hours="3", revision="1")
    response = _write(client, auth, world, enrollment, weekly_hours="9", revision="1")
    assert response.status_code == 409
    assert find_contract(world["student_tx1"]).weekly_hours == 3


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"weekly_hours": "60"}, "from 1 to 40"),
        ({"mentor_id": "999999"}, "Not a valid choice"),
        ({"course-{e}": ""}, "at least one course"),
        ({"target-{e}": "2020-01-01"}, "before the contract starts"),
        ({"unit-{e}-2": "not-a-date"}, "is not a date"),
    ],
)
def test_bad_input_is_a_400_with_the_reason_and_nothing_saved(
    client, auth, world, enrollment, extra, message
):
    extra = {key.format(e=enrollment.id): value for key, value in extra.items()}
    response = _write(client, auth, world, enrollment, **extra)
    assert response.status_code == 400
    assert message in response.get_data(True)
    assert db.session.scalar(select(StudyContract.id)) is None


def test_a_teacher_of_another_site_cannot_mentor(client, auth, world, enrollment):
    response = _write(client, auth, world, enrollment, mentor_id=str(world["teacher_tx2"].id))
    assert response.status_code == 400


def test_progress_counts_units_passed_against_targets_and_flags_late_ones(
    client, auth, world, enrollment
):
    _write(client, auth, world, enrollment)
    factories.pass_unit(enrollment.units[0])  # passed today, after its target 10 days ago
    contract = find_contract(world["student_tx1"])
    (line,) = contract_progress(contract)
    assert line.passed == 1
    late = {unit.number: unit.late for unit in line.units}
    # unit 1 passed after its target; unit 2's target went by unpassed; unit 3 is due later.
    assert late == {1: True, 2: True, 3: False, 4: False, 5: False}
    assert line.late is False  # the course target is in 60 days


def test_the_contract_page_loads_in_a_fixed_number_of_queries(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    url = f"/contracts/students/{world['student_tx1'].id}"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    other = factories.make_course_version()
    second = factories.make_enrollment(world["student_tx1"], other, world["teacher_tx1"])
    data = _form(world, enrollment, revision="1")
    data[f"course-{second.id}"] = "1"
    assert client.post(f"{url}/edit", data=data).status_code == 302
    with count_queries() as more:
        assert client.get(url).status_code == 200
    assert len(more) == len(few)


def test_the_student_acknowledges_their_own_contract(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    auth.logout()
    student = world["student_tx1"]
    auth.login(student.user)
    page = client.get("/contracts/mine", follow_redirects=True).get_data(True)
    assert "I have read and accept this contract" in page
    response = client.post(
        f"/contracts/students/{student.id}/acknowledge", data={"role": "student"}
    )
    assert response.status_code == 302
    contract = find_contract(student)
    ack = current_acknowledgement(contract, "student")
    assert ack.recorded_by_id == student.user.id and not ack.on_paper
    # A student may not sign for the guardian; another student may not sign at all.
    assert (
        client.post(
            f"/contracts/students/{student.id}/acknowledge", data={"role": "guardian"}
        ).status_code
        == 403
    )


def test_an_edit_asks_for_a_new_acknowledgement(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    contract = find_contract(world["student_tx1"])
    acknowledge_contract(contract, world["student_tx1"].user, "student")
    acknowledge_contract(contract, world["teacher_tx1"], "guardian")
    assert current_acknowledgement(contract, "guardian").on_paper
    _write(client, auth, world, enrollment, weekly_hours="4", revision="1")
    contract = find_contract(world["student_tx1"])
    assert current_acknowledgement(contract, "student") is None


def test_the_printed_contract_is_bilingual_with_signature_lines(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    factories.pass_unit(enrollment.units[0])
    response = client.get(f"/contracts/students/{world['student_tx1'].id}/contract.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, layout=False)
    for words in (
        "Contract of study",
        "Contrato de estudio",
        "Parent or guardian",
        "Padre, madre o tutor",
        "Hours of study a week",
        "Horas de estudio por semana",
        "Tuesdays 4 pm",
        world["student_tx1"].full_name,
        "Late",
        "Atrasada",
    ):
        assert words in text, words
    assert "1 / 5" in text


def test_staff_record_a_guardians_signature_given_on_paper(client, auth, world, enrollment):
    _write(client, auth, world, enrollment)
    student = world["student_tx1"]
    url = f"/contracts/students/{student.id}/acknowledge"
    assert client.post(url, data={"role": "guardian"}).status_code == 302
    ack = current_acknowledgement(find_contract(student), "guardian")
    assert ack.on_paper and ack.recorded_by_id == world["teacher_tx1"].id
    # Staff cannot acknowledge in the student's place.
    assert client.post(url, data={"role": "student"}).status_code == 403
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "contract.acknowledged")
    )
    assert event.data == {"role": "guardian", "revision": 1, "on_paper": True}
