"""No import widens anyone's access: the takeover found by a new user, and its variants, refused."""

import io
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.students.models import Student
from app.transfers.models import TransferImport
from app.transfers.package import build_package
from app.users.models import Role
from tests import factories


def upload(client, package: dict, site_id: int):
    return client.post(
        "/transfers/import",
        data={"package": (io.BytesIO(json.dumps(package).encode()), "p.json"), "site_id": site_id},
        content_type="multipart/form-data",
    )


def confirm(client, package: dict, site_id: int, student: str):
    return client.post(
        "/transfers/confirm",
        data={"package": json.dumps(package), "site_id": site_id, "student": student},
    )


def counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Student)),
        db.session.scalar(select(func.count()).select_from(TransferImport)),
    )


def bait_package(site, teacher, victim) -> dict:
    """The attacker adds a student with the victim's name and no birth date, and exports it."""
    bait = factories.make_student(
        site,
        with_user=False,
        given_name=victim.given_name,
        family_name=victim.family_name,
        birth_date=None,
    )
    package = build_package(bait)
    db.session.delete(bait)  # the package names no existing record of the attacker's
    db.session.commit()
    return package


@pytest.mark.parametrize("victim_site", ["tx1", "nd", "mexico"])
def test_the_takeover_is_refused_and_nothing_changes(world, auth, client, victim_site):
    site = factories.make_site("MX-MIC") if victim_site == "mexico" else world[victim_site]
    victim = factories.make_student(
        site,
        given_name="Ana",
        family_name="García",
        birth_date=date(2009, 5, 2),
        msix_id="555444333222",
    )
    attacker = world["teacher_tx2"]
    package = bait_package(world["tx2"], attacker, victim)
    before = counts()

    auth.login(attacker)
    review = upload(client, package, world["tx2"].id)
    assert review.status_code == 200
    assert f'value="{victim.id}"' not in review.get_data(as_text=True)  # not offered
    refused = confirm(client, package, world["tx2"].id, str(victim.id))
    assert refused.status_code == 409
    again = refused.get_data(as_text=True)
    assert "That record cannot receive this package" in again
    assert f'<option selected value="{world["tx2"].id}">' in again  # the review, sites and all
    db.session.refresh(victim)
    assert victim.site_id == site.id and counts() == before
    assert client.get(f"/students/{victim.id}").status_code == 403


def test_a_forged_site_is_refused(world, auth, client):
    package = build_package(world["student_tx2"])
    db.session.commit()
    before = counts()
    auth.login(world["teacher_tx2"])
    for site in (world["nd"], world["tx1"]):
        response = confirm(client, package, site.id, "new")
        assert response.status_code == 400
        assert "Choose one of your sites." in response.get_data(as_text=True)
    assert counts() == before


def test_a_strong_match_out_of_reach_becomes_a_flagged_new_record(world, auth, client):
    """A trusted package names a student another state holds (same MSIX ID): the importer gets
    a new record without the identifier, flagged for a coordinator who can see both."""
    victim = factories.make_student(
        world["tx1"],
        given_name="Luis",
        family_name="Hernández",
        birth_date=date(2008, 1, 9),
        msix_id="111222333444",
        curp="HELL080109HMNRSSA1",
    )
    package = build_package(victim)
    db.session.commit()
    auth.login(world["teacher_nd"])
    review = upload(client, package, world["nd"].id)
    html = review.get_data(as_text=True)
    assert 'data-testid="duplicate"' in html and f'value="{victim.id}"' not in html
    assert confirm(client, package, world["nd"].id, "new").status_code == 302
    db.session.refresh(victim)
    assert victim.site_id == world["tx1"].id and victim.msix_id == "111222333444"
    copy = db.session.scalars(select(Student).where(Student.duplicate_of_id == victim.id)).one()
    assert copy.site_id == world["nd"].id and copy.msix_id is None and copy.curp is None
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "student.possible_duplicate")
    ).one()
    assert event.student_id == copy.id
    # Neither side sees the other's record; an admin sees both and the flag.
    assert client.get(f"/students/{victim.id}").status_code == 403
    auth.logout()
    auth.login(world["admin"])
    page = client.get(f"/students/{copy.id}").get_data(as_text=True)
    assert 'data-testid="possible-duplicate"' in page and f"/students/{victim.id}" in page


def test_a_name_alone_never_merges_by_itself(world, auth, client):
    own = factories.make_student(
        world["tx2"], given_name="Rosa", family_name="Campos", birth_date=date(2010, 2, 2)
    )
    other = factories.make_student(
        world["tx1"], given_name="Rosa", family_name="Campos", birth_date=None
    )
    package = build_package(other)
    db.session.commit()
    auth.login(world["teacher_tx2"])
    html = upload(client, package, world["tx2"].id).get_data(as_text=True)
    assert f'value="{own.id}"' in html and f'value="{other.id}"' not in html
    assert 'selected value="new"' in html  # the proposal is a new record, not the namesake
    assert confirm(client, package, world["tx2"].id, "new").status_code == 302
    db.session.refresh(own)
    db.session.refresh(other)
    assert own.site_id == world["tx2"].id and other.site_id == world["tx1"].id


def test_an_announced_move_lets_the_receiving_side_continue_the_record(world, auth, client):
    from app.moves.models import MoveStatus
    from app.moves.services import report_move

    student = factories.make_student(
        world["tx1"], given_name="Eva", family_name="Luna", birth_date=date(2009, 9, 9)
    )
    move = report_move(student, world["teacher_tx1"], "US-ND", None, date.today(), None)
    package = build_package(student)
    db.session.commit()
    coordinator = factories.make_user(Role.COORDINATOR, world["nd"])
    auth.login(coordinator)
    html = upload(client, package, world["nd"].id).get_data(as_text=True)
    assert f'selected value="{student.id}"' in html
    assert confirm(client, package, world["nd"].id, str(student.id)).status_code == 302
    db.session.refresh(student)
    db.session.refresh(move)
    assert student.site_id == world["nd"].id and move.status == MoveStatus.ARRIVED


def test_the_open_unit_and_the_target_date_come_along(world, auth, client):
    from app.enrollments.models import UnitStatus

    student = factories.make_student(
        world["tx1"], given_name="Iris", family_name="Vega", birth_date=date(2009, 4, 4)
    )
    enrollment = factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    enrollment.target_date = date(2027, 5, 1)
    factories.pass_unit(enrollment.units[0])
    begun = enrollment.units[1]
    begun.status, begun.lessons_read, begun.work_percent = UnitStatus.IN_PROGRESS, 2, 90.0
    package = build_package(student)
    db.session.commit()
    auth.login(world["teacher_nd"])
    assert confirm(client, package, world["nd"].id, "new").status_code == 302
    copy = db.session.scalars(select(Student).where(Student.duplicate_of_id == student.id)).one()
    from app.enrollments.models import Enrollment

    arrived = db.session.scalars(select(Enrollment).where(Enrollment.student_id == copy.id)).one()
    assert arrived.target_date == date(2027, 5, 1)
    first, second = arrived.units[0], arrived.units[1]
    assert first.status == UnitStatus.PASSED
    assert (second.status, second.lessons_read, second.work_percent, second.test_attempts) == (
        UnitStatus.IN_PROGRESS,
        2,
        90.0,
        0,
    )
