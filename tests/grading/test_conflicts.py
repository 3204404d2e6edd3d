"""A grading page opened before another teacher saved is refused with 409 and shows both; a
paper packet sent twice is recorded once."""

from datetime import date

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.courses.models import Section
from app.extensions import db
from app.learning.models import Attempt, AttemptStatus
from tests import factories
from tests.grading.helpers import open_item


def _version(client, path) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]


def test_a_save_from_a_page_opened_before_another_teachers_save_is_refused(world, auth, client):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    attempt = factories.make_submitted_test(enrollment.units[0])
    item = open_item(attempt.unit_progress)
    other = factories.make_user(world["teacher_tx1"].role, world["tx1"])
    path = f"/grading/attempts/{attempt.id}"
    auth.login(other)
    opened_by_other = _version(client, path)
    auth.logout()
    auth.login(world["teacher_tx1"])
    first = client.post(
        path,
        data={
            "action": "grade",
            "version": _version(client, path),
            f"score-{item.id}": "2",
            f"feedback-{item.id}": "Clear.",
        },
    )
    assert first.status_code == 302
    auth.logout()
    auth.login(other)
    late = client.post(
        path,
        data={
            "action": "grade",
            "version": opened_by_other,
            f"score-{item.id}": "1",
            f"feedback-{item.id}": "Vague.",
        },
    )
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Another teacher saved this test after you opened it" in page
    assert 'value="1"' in page  # the late teacher's entry is still in the form
    assert "Saved now: 2 of 2 points · Clear." in page  # beside what is saved
    db.session.expire_all()
    answer = next(a for a in attempt.answers if a.item_id == item.id)
    assert (answer.points, answer.feedback, attempt.status) == (2.0, "Clear.", AttemptStatus.GRADED)
    graded = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "attempt.graded"))
    assert [e.data["items"][str(item.id)]["points"] for e in graded] == [2.0]
    # The refused page carries the version it shows: saving from it now is a regrade, allowed.
    assert f'name="version" type="hidden" value="{attempt.version}"' in page


def test_a_paper_packet_sent_twice_is_recorded_once(world, auth, client):
    progress = factories.make_enrollment(world["student_tx1"], world["course"]).units[0]
    auth.login(world["teacher_tx1"])
    path = f"/grading/units/{progress.id}/paper"
    page = client.get(path).get_data(as_text=True)
    seen = page.split('name="seen_attempts" type="hidden" value="', 1)[1].split('"', 1)[0]
    form = {"test_percent": "80", "taken_on": date.today().isoformat(), "seen_attempts": seen}
    assert client.post(path, data=form).status_code == 302
    again = client.post(path, data=form)
    assert again.status_code == 409
    assert "perhaps the form was sent twice" in again.get_data(as_text=True)
    tests = db.session.scalars(
        select(Attempt).where(
            Attempt.unit_progress_id == progress.id, Attempt.section == Section.TEST
        )
    ).all()
    assert [a.percent for a in tests] == [80.0]
