"""Next and previous on the grading page follow the queue's order and filters; a graded test is
reached from the student's page."""

import re
from datetime import timedelta

from app.common import utcnow
from tests import factories


def _queued(world, key, hours_ago, course=None, **names):
    student = factories.make_student(world[key], **names)
    enrollment = factories.make_enrollment(student, course or world["course"])
    return factories.make_submitted_test(
        enrollment.units[0], submitted_at=utcnow() - timedelta(hours=hours_ago)
    )


def _neighbours(response) -> tuple[str | None, str | None]:
    html = response.get_data(as_text=True)
    previous = re.search(r'href="([^"]+)" rel="prev" data-testid="previous"', html)
    following = re.search(r'href="([^"]+)" rel="next" data-testid="next"', html)
    return (
        previous[1].replace("&amp;", "&") if previous else None,
        following[1].replace("&amp;", "&") if following else None,
    )


def test_next_and_previous_follow_the_queue_order(client, auth, world):
    oldest = _queued(world, "tx1", 30)
    middle = _queued(world, "tx1", 20)
    newest = _queued(world, "tx1", 10)
    _queued(world, "tx2", 25)  # another site: not in this teacher's queue
    auth.login(world["teacher_tx1"])
    assert _neighbours(client.get(f"/grading/attempts/{oldest.id}")) == (
        None,
        f"/grading/attempts/{middle.id}",
    )
    assert _neighbours(client.get(f"/grading/attempts/{middle.id}")) == (
        f"/grading/attempts/{oldest.id}",
        f"/grading/attempts/{newest.id}",
    )
    assert _neighbours(client.get(f"/grading/attempts/{newest.id}")) == (
        f"/grading/attempts/{middle.id}",
        None,
    )


def test_next_and_previous_keep_the_filters(client, auth, world):
    other = factories.make_course_version()
    first = _queued(world, "tx1", 30, given_name="Inés", family_name="Peña")
    _queued(world, "tx1", 25, given_name="Zoe", family_name="Ruiz")  # filtered out by name
    _queued(world, "tx1", 22, other, given_name="Inés", family_name="Peña")  # by course
    last = _queued(world, "tx1", 20, given_name="INES", family_name="PENA")
    auth.login(world["teacher_tx1"])
    course = world["course"].course_id
    queue = client.get(f"/grading/?q=ines+pena&course={course}").get_data(as_text=True)
    assert f"/grading/attempts/{first.id}?q=ines+pena&amp;course={course}" in queue
    page = client.get(f"/grading/attempts/{first.id}?q=ines+pena&course={course}")
    assert _neighbours(page) == (None, f"/grading/attempts/{last.id}?q=ines+pena&course={course}")


def test_after_grading_next_still_leads_on(client, auth, world):
    graded = _queued(world, "tx1", 30)
    following = _queued(world, "tx1", 20)
    auth.login(world["teacher_tx1"])
    page = client.get(f"/grading/attempts/{graded.id}?q=")
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page.get_data(as_text=True))
    item = next(a.item_id for a in graded.answers if a.points is None)
    response = client.post(
        f"/grading/attempts/{graded.id}?site={world['tx1'].id}",
        data={"action": "grade", f"score-{item}": "2", "version": version[1]},
        follow_redirects=True,
    )
    assert "The test is graded" in response.get_data(as_text=True)
    assert _neighbours(response)[1] == (f"/grading/attempts/{following.id}?site={world['tx1'].id}")


def test_the_student_page_links_each_unit_to_its_test(client, auth, world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    graded = factories.pass_unit(enrollment.units[0])
    auth.login(world["teacher_tx1"])
    html = client.get(f"/students/{world['student_tx1'].id}").get_data(as_text=True)
    links = re.findall(r'href="/grading/attempts/(\d+)" data-testid="test-link"', html)
    assert links == [str(graded.id)]
    assert client.get(f"/grading/attempts/{graded.id}").status_code == 200
