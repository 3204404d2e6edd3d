"""The incoming list: who sees which notice, receiving a student, FERPA, no N+1."""

import re
from datetime import date, timedelta

from app.extensions import db
from app.moves.models import MoveStatus
from app.moves.services import receive_move, report_move
from app.users.models import Role
from tests import factories
from tests.moves.helpers import events, notice
from tests.query_counter import count_queries


def listed(client, query: str = "") -> list[int]:
    page = client.get(f"/moves/incoming{query}")
    assert page.status_code == 200
    return [int(i) for i in re.findall(r'data-move="(\d+)"', page.get_data(as_text=True))]


def test_each_role_sees_the_notices_to_its_site_or_state(world, auth, client):
    nd2 = factories.make_site("US-ND")
    teacher_nd2 = factories.make_user(Role.TEACHER, nd2)
    to_state = notice(world["student_tx1"], world["teacher_tx1"], "US-ND")
    to_site = notice(world["student_tx2"], world["teacher_tx2"], "US-ND", site=nd2)
    to_tx2 = notice(
        factories.make_student(world["tx1"]), world["teacher_tx1"], "US-TX", site=world["tx2"]
    )
    to_texas = notice(factories.make_student(world["tx1"]), world["teacher_tx1"], "US-TX")
    to_mexico = notice(factories.make_student(world["nd"]), world["teacher_nd"], "MX")
    expected = {
        "teacher_nd": [to_state.id],  # its state with no site chosen, not another ND site's
        "coord_nd": [to_state.id, to_site.id],  # every notice to North Dakota
        "teacher_tx2": [to_tx2.id, to_texas.id],  # its own site, and Texas with no site
        "teacher_tx1": [],  # Texas with no site, but sent from its own site
        "coord_tx": [to_tx2.id, to_texas.id],
        "admin": [to_state.id, to_site.id, to_tx2.id, to_texas.id, to_mexico.id],
    }
    for key, ids in expected.items():
        auth.login(world[key])
        assert sorted(listed(client)) == sorted(ids), key
        auth.logout()
    auth.login(teacher_nd2)
    assert sorted(listed(client)) == sorted([to_state.id, to_site.id])  # and its own site
    # A notice naming only the country goes to the coordinators there, not to every site.
    morelia = factories.make_site("MX-MIC")
    for user, ids in (
        (factories.make_user(Role.TEACHER, morelia), []),
        (factories.make_user(Role.COORDINATOR, morelia), [to_mexico.id]),
        (factories.make_user(Role.COORDINATOR, state_code="MX-MIC"), [to_mexico.id]),
    ):
        auth.logout()
        auth.login(user)
        assert listed(client) == ids


def test_a_closed_notice_is_shown_only_to_those_who_may_see_the_record(world, auth, client):
    student = factories.make_student(world["tx1"], birth_date=date(2008, 3, 9))
    move = notice(student, world["teacher_tx1"], "MX")
    coordinator = factories.make_user(Role.COORDINATOR, state_code="MX-JAL")
    morelia = factories.make_site("MX-MIC")
    auth.login(coordinator)
    assert listed(client) == [move.id]
    receive_move(move, morelia, world["admin"])
    db.session.commit()
    # Received in Michoacán: the Jalisco coordinator no longer sees the name or the birth date.
    html = client.get("/moves/incoming?status=all").get_data(as_text=True)
    assert student.family_name not in html and "2008" not in html
    auth.logout()
    auth.login(factories.make_user(Role.COORDINATOR, state_code="MX-MIC"))
    assert student.family_name in client.get("/moves/incoming?status=all").get_data(as_text=True)


def test_the_list_shows_only_what_the_receiving_side_needs(world, auth, client):
    student = factories.make_student(
        world["tx1"], msix_id="123456789012", curp="GALA070101MMNRPNA1", birth_date=date(2008, 3, 9)
    )
    factories.make_enrollment(student, world["course"])
    factories.make_enrollment(student, factories.make_course_version())
    notice(student, world["teacher_tx1"], "US-ND", note="Harvest in Grand Forks.")
    auth.login(world["teacher_nd"])
    html = client.get("/moves/incoming").get_data(as_text=True)
    assert student.family_name in html and "2008" in html and "Mar 9, 2008" not in html
    assert world["tx1"].name in html and "Texas" in html and "Harvest in Grand Forks." in html
    assert 'data-testid="in-progress"' not in html  # nothing of the record before receiving
    assert "123456789012" not in html and "GALA070101MMNRPNA1" not in html
    assert f"/students/{student.id}" not in html  # no link to a record they may not see
    assert client.get(f"/students/{student.id}").status_code == 403


def test_oldest_move_first_paginated_and_filtered(world, auth, client, app):
    moves = [
        notice(factories.make_student(world["tx1"]), world["teacher_tx1"], "US-ND", days=d)
        for d in (30, -3, 10)
    ]
    auth.login(world["coord_nd"])
    assert listed(client) == [moves[1].id, moves[2].id, moves[0].id]
    app.config["PAGE_SIZE"] = 2
    try:
        assert listed(client) == [moves[1].id, moves[2].id]
        assert listed(client, "?page=2") == [moves[0].id]
    finally:
        app.config["PAGE_SIZE"] = 25
    client.post(f"/moves/{moves[2].id}/receive", data={f"m{moves[2].id}-site_id": world["nd"].id})
    assert listed(client) == [moves[1].id, moves[0].id]
    assert listed(client, "?status=arrived") == [moves[2].id]
    assert listed(client, "?status=all") == [moves[1].id, moves[2].id, moves[0].id]
    assert listed(client, "?status=cancelled") == []


def test_receiving_moves_the_record_and_its_open_work(world, auth, client):
    student = world["student_tx1"]
    enrollment = factories.make_enrollment(student, world["course"])
    factories.pass_unit(enrollment.units[0])
    attempt = factories.make_submitted_test(enrollment.units[1])
    move = notice(student, world["teacher_tx1"], "US-ND")
    auth.login(world["teacher_nd"])
    response = client.post(
        f"/moves/{move.id}/receive", data={f"m{move.id}-site_id": world["nd"].id}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/students/{student.id}"
    )
    db.session.refresh(student)
    db.session.refresh(move)
    db.session.refresh(attempt)
    assert student.site_id == world["nd"].id and attempt.site_id == world["nd"].id
    assert move.status == MoveStatus.ARRIVED and move.destination_site_id == world["nd"].id
    assert move.closed_by_id == world["teacher_nd"].id
    (event,) = events("move.received")
    assert (
        event.data["from_site"] == world["tx1"].code and event.data["to_site"] == world["nd"].code
    )
    # The receiving teacher now sees and continues the record; the unit done in Texas says so.
    record = client.get(f"/students/{student.id}")
    html = record.get_data(as_text=True)
    assert record.status_code == 200
    sites = re.findall(r'data-testid="completed-site">([^<]*)<', html)
    assert sites[0] == f"{world['tx1'].name} (US-TX)" and sites[1:] == ["—"] * 4
    assert f"/grading/attempts/{attempt.id}" in client.get("/grading/").get_data(as_text=True)
    assert f"/students/{student.id}" in client.get("/moves/incoming?status=arrived").get_data(
        as_text=True
    )
    auth.logout()
    auth.login(world["teacher_tx1"])
    assert client.get(f"/students/{student.id}").status_code == 403


def test_receiving_is_only_for_the_receiving_side(world, auth, client):
    move = notice(world["student_tx1"], world["teacher_tx1"], "US-ND")
    data = {f"m{move.id}-site_id": world["nd"].id}
    for key in ("teacher_tx2", "coord_tx", "teacher_tx1"):
        auth.login(world[key])
        assert client.post(f"/moves/{move.id}/receive", data=data).status_code == 404, key
        auth.logout()
    auth.login(world["teacher_nd"])
    # Only a site of theirs that the notice names: not the sending site, not a missing one.
    for site_id in (world["tx1"].id, world["tx2"].id, ""):
        response = client.post(f"/moves/{move.id}/receive", data={f"m{move.id}-site_id": site_id})
        assert response.status_code == 400
        assert "Choose the site that takes the student in." in response.get_data(as_text=True)
    db.session.refresh(move)
    db.session.refresh(world["student_tx1"])
    assert move.status == MoveStatus.MOVING and world["student_tx1"].site_id == world["tx1"].id
    assert events("move.received") == []


def test_a_closed_notice_cannot_be_received(world, auth, client):
    move = notice(world["student_tx1"], world["teacher_tx1"], "US-ND")
    auth.login(world["teacher_tx1"])
    client.post(f"/moves/{move.id}/cancel", data={})
    auth.logout()
    auth.login(world["coord_nd"])
    response = client.post(
        f"/moves/{move.id}/receive", data={f"m{move.id}-site_id": world["nd"].id}
    )
    assert response.status_code == 404  # closed: no longer shown to the other side at all
    db.session.refresh(world["student_tx1"])
    assert world["student_tx1"].site_id == world["tx1"].id


def test_incoming_query_count_does_not_grow_with_rows(world, auth, client):
    auth.login(world["coord_nd"])

    def add(n):
        # Each notice has its own sending site, student and courses: a lazy load would show.
        for _ in range(n):
            site = factories.make_site("US-TX")
            student = factories.make_student(site, birth_date=date(2009, 5, 1))
            factories.make_enrollment(student, factories.make_course_version(units=3))
            report_move(
                student,
                world["teacher_tx1"],
                "US-ND",
                None,
                date.today() + timedelta(days=3),
                "note",
            )
        db.session.commit()
        db.session.expire_all()

    add(2)
    with count_queries() as few:
        assert len(listed(client)) == 2
    add(10)
    with count_queries() as many:
        assert len(listed(client)) == 12
    assert len(few) > 3
    assert len(many) == len(few), "\n".join(many)


def test_the_incoming_list_in_spanish(world, auth, client):
    notice(world["student_tx1"], world["teacher_tx1"], "US-ND")
    coordinator = factories.make_user(Role.COORDINATOR, state_code="US-ND", locale="es")
    auth.login(coordinator)
    page = client.get("/moves/incoming")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="es"' in html
    assert "Año de nacimiento" in html and "Dakota del Norte" in html


def test_receiving_needs_the_pages_csrf_token(world, auth, client, app):
    move = notice(world["student_tx1"], world["teacher_tx1"], "US-ND")
    auth.login(world["teacher_nd"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        html = client.get("/moves/incoming").get_data(as_text=True)
        token = re.search(rf'name="m{move.id}-csrf_token" type="hidden" value="([^"]+)"', html)[1]
        data = {f"m{move.id}-site_id": world["nd"].id}
        assert client.post(f"/moves/{move.id}/receive", data=data).status_code == 400
        db.session.refresh(move)
        assert move.status == MoveStatus.MOVING
        data[f"m{move.id}-csrf_token"] = token
        assert client.post(f"/moves/{move.id}/receive", data=data).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db.session.refresh(move)
    assert move.status == MoveStatus.ARRIVED
