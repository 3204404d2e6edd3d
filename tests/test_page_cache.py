"""Kept pages: a second view is served whole, a committed change to the sites a page shows
renders it again at once, and nobody gets a page, or a form's token, kept for someone else."""

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.learning.models import Attempt
from app.learning.services import approve_unit_test
from app.notifications.models import Event, Notification
from app.page_cache.models import EVERYTHING, PageGeneration
from app.transfers.models import TrustedIssuer
from app.users.models import Role
from tests import factories
from tests.grading.helpers import open_item
from tests.query_counter import count_queries


def generations() -> dict[int, int]:
    return dict(db.session.execute(select(PageGeneration.site_id, PageGeneration.value)).all())


def bumped(before: dict[int, int]) -> set[int]:
    """The site ids (0: everything) whose generation went up since `before`."""
    return {site for site, value in generations().items() if value > before.get(site, 0)}


def without_tokens(html: str) -> str:
    """The page but its CSRF tokens (payload.timestamp.signature: the second they were made)."""
    assert not re.search(r"csrf-[0-9a-f]{32}", html)  # never the kept copy's placeholder
    return re.sub(r"[\w-]{20,}\.[\w-]{4,8}\.[\w-]{20,}", "TOKEN", html)


def viewed(client, path: str) -> tuple[str, int]:
    """The page at `path` and how many SQL statements answering it took."""
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(queries)


@pytest.fixture
def waiting(world):
    """A handed-in test of tx1's student, committed before anyone signs in."""
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    attempt = factories.make_submitted_test(enrollment.units[0])
    db.session.commit()
    return attempt


def test_a_second_view_is_kept_and_grading_renders_it_again(client, auth, world, waiting):
    auth.login(world["teacher_tx1"])
    first, rendering = viewed(client, "/grading/")
    again, keeping = viewed(client, "/grading/")
    assert f'data-attempt="{waiting.id}"' in first and without_tokens(again) == without_tokens(
        first
    )
    assert keeping <= 3 < rendering  # the user, the generations, the commit point's nothing

    item = open_item(waiting.unit_progress)
    graded = client.post(
        f"/grading/attempts/{waiting.id}", data={"action": "grade", f"score-{item.id}": "2"}
    )
    assert graded.status_code == 302
    after, _ = viewed(client, "/grading/")
    assert f'data-attempt="{waiting.id}"' not in after


def test_a_change_at_another_site_keeps_the_page_and_shows_where_it_belongs(
    client, app, auth, world, waiting
):
    auth.login(world["teacher_tx1"])
    viewed(client, "/grading/")
    elsewhere = factories.make_enrollment(world["student_tx2"], world["course"])
    other = factories.make_submitted_test(elsewhere.units[0])
    db.session.commit()
    page, queries = viewed(client, "/grading/")
    assert queries <= 3 and f'data-attempt="{waiting.id}"' in page

    tx2 = app.test_client()
    sign_in(tx2, world["teacher_tx2"])
    page, _ = viewed(tx2, "/grading/")
    assert f'data-attempt="{other.id}"' in page


def sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_the_student_sees_a_grade_on_the_next_view(client, app, auth, world, waiting):
    student_user = world["student_tx1"].user
    auth.login(student_user)
    before, _ = viewed(client, "/learn/")
    viewed(client, "/learn/")
    teacher = app.test_client()
    sign_in(teacher, world["teacher_tx1"])
    item = open_item(waiting.unit_progress)
    teacher.post(
        f"/grading/attempts/{waiting.id}", data={"action": "grade", f"score-{item.id}": "2"}
    )
    after, queries = viewed(client, "/learn/")
    assert without_tokens(after) != without_tokens(before) and queries > 3


def test_each_user_gets_their_own_page(app, world):
    site = world["tx1"]
    ana = factories.make_user(Role.TEACHER, site, given_name="Anabel")
    beto = factories.make_user(Role.TEACHER, site, given_name="Bartolo")
    db.session.commit()
    pages = {}
    for user in (ana, beto, ana):
        client = app.test_client()
        sign_in(client, user)
        pages[user.given_name] = viewed(client, "/students/")[0]
    assert "Anabel" in pages["Anabel"] and "Bartolo" not in pages["Anabel"]
    assert "Bartolo" in pages["Bartolo"] and "Anabel" not in pages["Bartolo"]


def test_a_kept_page_carries_the_sessions_own_form_token(app, world):
    """The sign-in page is kept once for everyone; each visitor's copy has a token of their
    own session, which the real CSRF check accepts (and another visitor's it refuses)."""
    teacher = world["teacher_tx1"]
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        first, second = app.test_client(), app.test_client()
        tokens = []
        for client in (first, second):
            page = client.get("/login").get_data(as_text=True)
            (token,) = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page))
            tokens.append(token)
        assert tokens[0] != tokens[1]
        data = {"email": teacher.email, "password": factories.PASSWORD}
        assert second.post("/login", data={**data, "csrf_token": tokens[0]}).status_code == 400
        assert second.post("/login", data={**data, "csrf_token": tokens[1]}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_flashed_message_is_shown_once_never_kept(client, auth, world):
    auth.login(world["teacher_tx1"])
    viewed(client, "/students/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Saved: the unique words")]
    assert "the unique words" in viewed(client, "/students/")[0]
    assert "the unique words" not in viewed(client, "/students/")[0]


def test_what_a_row_changes_is_counted_for_its_sites(world, waiting):
    tx1, tx2 = world["tx1"], world["tx2"]
    before = generations()
    waiting.feedback = "Seen."  # an attempt: its student's site
    db.session.commit()
    assert bumped(before) == {tx1.id}

    before = generations()
    student = world["student_tx1"]
    student.site_id = tx2.id  # a move: the site left and the site joined
    db.session.commit()
    assert bumped(before) == {tx1.id, tx2.id}

    before = generations()
    world["teacher_tx2"].unread_notifications += 1  # shown only to that teacher: no page
    db.session.add(Notification(user_id=world["teacher_tx2"].id, event=Event.TEST_GRADED))
    db.session.commit()
    assert bumped(before) == set()

    before = generations()
    world["teacher_tx2"].given_name = "Renamed"  # staff: shown wherever their work is
    db.session.commit()
    assert bumped(before) == {EVERYTHING}

    before = generations()
    world["course"].title_en = "Renamed course"  # shown anywhere
    db.session.commit()
    assert bumped(before) == {EVERYTHING}

    before = generations()
    db.session.execute(update(Attempt).where(Attempt.id == waiting.id).values(feedback="Bulk"))
    db.session.commit()
    assert bumped(before) == {EVERYTHING}  # a statement, not rows: every page


def test_a_rolled_back_change_counts_nothing(world, waiting):
    before = generations()
    waiting.feedback = "Never kept."
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert bumped(before) == set()


def test_a_deleted_row_counts_for_the_site_it_named(world, waiting):
    before = generations()
    db.session.delete(waiting.answers[0])  # found through the attempt it answered
    db.session.commit()
    assert bumped(before) == {world["tx1"].id}


def test_an_account_counts_for_its_students_present_site(world):
    student = world["student_tx1"]
    student.site_id = world["tx2"].id  # moved: the account keeps the site it was made at
    db.session.commit()
    before = generations()
    student.user.email = "new.address@example.org"  # shown on the record page at tx2
    db.session.commit()
    assert bumped(before) == {world["tx2"].id}


def test_a_row_named_only_by_who_made_it_counts_for_everything(world):
    teacher = world["teacher_tx1"]
    issuer = TrustedIssuer(
        issuer="https://other.example/issuer",
        name="Other",
        public_key_multibase="z6Mk",
        added_by_id=teacher.id,
    )
    db.session.add(issuer)
    db.session.commit()
    before = generations()
    issuer.name = "Other, renamed"  # on record pages anywhere, not only at tx1
    db.session.commit()
    assert bumped(before) == {EVERYTHING}


def test_a_savepoint_counts_once_at_the_commit(world, waiting):
    before = generations()
    with db.session.begin_nested():
        waiting.feedback = "Inside a savepoint."
    assert bumped(before) == set()  # not yet: the transaction has not committed
    waiting.feedback = "After it."
    db.session.commit()
    tx1 = world["tx1"].id
    assert bumped(before) == {tx1} and generations()[tx1] == before.get(tx1, 0) + 1


def test_a_bulk_statement_naming_its_rows_counts_for_their_site(app, world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    db.session.commit()
    before = generations()
    with app.test_request_context():  # its messages are translated for the user
        approve_unit_test(enrollment.units[0], world["teacher_tx1"])  # closes open requests too
    db.session.commit()
    assert bumped(before) == {world["tx1"].id}
