"""The notifications page: the user's own only, unread count in the menu, mark read, pages."""

from app.extensions import db
from app.notifications.models import Delivery, Event
from app.notifications.services import notify, save_preferences
from tests.query_counter import count_queries


def _tell(user, n):
    save_preferences(user, {Event.TEST_GRADED: Delivery.PAGE})
    for i in range(n):
        notify(
            Event.TEST_GRADED,
            [user],
            target=("learning.dashboard", {}),
            course_en=f"Course {i}",
            course_es=f"Curso {i}",
            unit=1,
            percent=80.0,
        )
    db.session.commit()


def test_unread_count_mark_read_and_pages(client, auth, world, app):
    user = world["student_tx1"].user
    page_size = app.config["PAGE_SIZE"]
    _tell(user, page_size + 2)
    db.session.refresh(user)
    auth.login(user)
    page = client.get("/learn/").get_data(as_text=True)
    assert f'data-testid="unread-count">{page_size + 2}<' in page
    first = client.get("/notifications/").get_data(as_text=True)
    assert first.count('data-testid="notification"') == page_size
    assert f"Course {page_size + 1}" in first and "Course 0," not in first  # newest first
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert second.count('data-testid="notification"') == 2 and "Course 0," in second
    from app.notifications.models import Notification

    newest = db.session.query(Notification).order_by(Notification.id.desc()).first()
    opened = client.post(f"/notifications/{newest.id}/read", data={"open": "1"})
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/learn/")
    client.post(f"/notifications/{newest.id}/read")  # again: harmless
    db.session.refresh(user)
    assert user.unread_notifications == page_size + 1
    client.post("/notifications/read-all")
    db.session.refresh(user)
    assert user.unread_notifications == 0
    assert 'data-testid="unread-count"' not in client.get("/notifications/").get_data(as_text=True)


def test_someone_elses_notification_is_not_found(client, auth, world):
    other = world["student_tx2"].user
    (row,) = notify(Event.TEST_GRADED, [other], course_en="A", course_es="A", unit=1, percent=1.0)
    db.session.commit()
    auth.login(world["student_tx1"].user)
    assert client.post(f"/notifications/{row.id}/read").status_code == 404
    assert "A, unit 1" not in client.get("/notifications/").get_data(as_text=True)
    db.session.refresh(row)
    assert row.read_at is None


def test_the_page_runs_the_same_queries_for_more_notifications(client, auth, world):
    user = world["student_tx2"].user
    _tell(user, 2)
    auth.login(user)
    with count_queries() as few:
        client.get("/notifications/")
    _tell(user, 15)
    with count_queries() as many:
        page = client.get("/notifications/").get_data(as_text=True)
    assert page.count('data-testid="notification"') == 17
    assert len(many) == len(few)
