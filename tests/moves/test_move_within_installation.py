"""A student moves between two sites of the same installation: open work follows them."""

import io
import json
from datetime import date

from app.extensions import db
from app.moves.models import MoveStatus
from app.moves.services import report_move
from app.transfers.package import build_package
from tests import factories


def queue_ids(client) -> str:
    return client.get("/grading/").get_data(as_text=True)


def test_a_handed_in_test_moves_to_the_new_sites_queue(world, auth, client):
    student = factories.make_student(world["tx1"], msix_id="210987654321")
    enrollment = factories.make_enrollment(student, world["course"])
    attempt = factories.make_submitted_test(enrollment.units[0])
    move = report_move(student, world["teacher_tx1"], "US-ND", None, date.today(), None)
    package = build_package(student)
    db.session.commit()

    auth.login(world["teacher_nd"])
    review = client.post(
        "/transfers/import",
        data={
            "package": (io.BytesIO(json.dumps(package).encode()), "p.json"),
            "site_id": world["nd"].id,
        },
        content_type="multipart/form-data",
    )
    assert review.status_code == 200 and "Matched by MSIX ID." in review.get_data(as_text=True)
    done = client.post(
        "/transfers/confirm",
        data={
            "package": json.dumps(package),
            "site_id": world["nd"].id,
            "student": str(student.id),
        },
    )
    assert done.status_code == 302
    db.session.refresh(student)
    db.session.refresh(attempt)
    assert student.site_id == world["nd"].id and attempt.site_id == world["nd"].id
    db.session.refresh(move)
    assert move.status == MoveStatus.ARRIVED  # importing the record received the student
    assert f"/grading/attempts/{attempt.id}" in queue_ids(client)
    auth.logout()
    auth.login(world["teacher_tx1"])
    assert f"/grading/attempts/{attempt.id}" not in queue_ids(client)
