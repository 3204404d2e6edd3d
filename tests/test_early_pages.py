"""Kept pages served before their view runs: one statement checks the viewer's account and
the generations of the sites the page shows, and anything the view would decide otherwise
(a session signed out, an account closed or moved, a change at the site, another language)
sends the request on to the view."""

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import event

from app import create_app
from app.certificates.services import issue_certificate, revoke_certificate
from app.credits.services import award_credit
from app.extensions import db
from app.users.services import end_sessions
from config import TestingConfig
from tests import factories
from tests.certificates.helpers import awarded
from tests.concurrency.harness import live_database
from tests.query_counter import EARLY_CHECK, count_queries


def viewed(client, path: str, **kwargs):
    with count_queries() as statements:
        response = client.get(path, **kwargs)
    return response, statements


@pytest.fixture
def waiting(world):
    enrollment = factories.make_enrollment(world["student_tx1"], world["course"])
    attempt = factories.make_submitted_test(enrollment.units[0])
    db.session.commit()
    return attempt


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("teacher_tx1", "/grading/"),
        ("coord_tx", "/students/"),
        ("teacher_tx1", "/grading/gradebook"),
    ],
)
def test_a_second_view_is_served_early_with_one_statement(client, auth, world, waiting, who, path):
    auth.login(world[who])
    first, rendering = viewed(client, path)
    again, statements = viewed(client, path)
    assert first.status_code == again.status_code == 200
    assert len(rendering) > 3 and len(statements) == 1, statements
    assert statements[0].startswith(EARLY_CHECK)
    assert f'data-attempt="{waiting.id}"' in again.get_data(as_text=True) or path != "/grading/"


def test_the_students_dashboard_and_record_are_served_early(client, auth, world, waiting):
    student = world["student_tx1"]
    auth.login(student.user)
    viewed(client, "/learn/")
    page, statements = viewed(client, "/learn/")
    assert page.status_code == 200 and len(statements) == 1
    auth.logout()
    auth.login(world["teacher_tx1"])
    viewed(client, f"/students/{student.id}")  # shows the sign-out's message: not kept
    viewed(client, f"/students/{student.id}")
    page, statements = viewed(client, f"/students/{student.id}")
    assert page.status_code == 200 and len(statements) == 1
    assert student.family_name in page.get_data(as_text=True)


def _sign_out_everywhere(teacher) -> None:
    end_sessions(teacher)


def _close_account(teacher) -> None:
    teacher.is_active = False


@pytest.mark.parametrize("ending", [_sign_out_everywhere, _close_account])
def test_an_ended_session_or_closed_account_gets_no_early_page(
    client, auth, world, waiting, ending
):
    teacher = world["teacher_tx1"]
    auth.login(teacher)
    viewed(client, "/grading/")
    ending(teacher)
    db.session.commit()
    page, _ = viewed(client, "/grading/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_teacher_moved_to_another_site_sees_that_sites_queue(client, auth, world, waiting):
    teacher = world["teacher_tx1"]
    auth.login(teacher)
    first, _ = viewed(client, "/grading/")
    assert f'data-attempt="{waiting.id}"' in first.get_data(as_text=True)
    teacher.site_id = world["tx2"].id
    db.session.commit()
    page, statements = viewed(client, "/grading/")
    assert len(statements) > 1  # rendered again by the view
    assert f'data-attempt="{waiting.id}"' not in page.get_data(as_text=True)


def test_a_change_at_the_site_renders_the_page_again(client, auth, world, waiting):
    auth.login(world["teacher_tx1"])
    viewed(client, "/grading/")
    other = factories.make_enrollment(world["student_tx1"], factories.make_course_version())
    another = factories.make_submitted_test(other.units[0])
    db.session.commit()
    page, statements = viewed(client, "/grading/")
    assert len(statements) > 1 and f'data-attempt="{another.id}"' in page.get_data(as_text=True)


def test_the_sign_in_page_is_served_early_in_each_visitors_language(app):
    english, spanish = app.test_client(), app.test_client()
    for client in (english, spanish, english):
        language = "es" if client is spanish else "en"
        page, statements = viewed(client, "/login", headers={"Accept-Language": language})
        assert page.status_code == 200 and statements == []
        assert f'lang="{language}"' in page.get_data(as_text=True)
    again, statements = viewed(spanish, "/login", headers={"Accept-Language": "es"})
    assert 'lang="es"' in again.get_data(as_text=True) and statements == []


def test_a_rate_limited_page_runs_its_view_and_its_limit(client, app, world, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "2 per minute")
    cert = factories.make_certificate(awarded(world), world["coord_tx"])
    db.session.commit()
    spanish = {"Accept-Language": "es"}
    found = [viewed(client, f"/verify/{cert.code}", headers=spanish) for _ in range(4)]
    assert [page.status_code for page, _ in found] == [200] * 4  # a real code is not a guess
    assert [len(statements) for _, statements in found[1:]] == [1, 1, 1]  # served early
    codes = [client.get("/verify/NO-SUCH-CODE").status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    # A guesser is stopped at a kept page too, by the view, as at any other: nothing tells
    # it that this code's page was kept.
    stopped, statements = viewed(client, f"/verify/{cert.code}", headers=spanish)
    assert stopped.status_code == 429 and 'lang="es"' in stopped.get_data(as_text=True)
    assert statements == []


def test_a_verify_page_is_served_early_until_its_certificate_changes(client, world):
    award = awarded(world, passed=4)
    cert = issue_certificate(award, world["coord_tx"], render=False)
    db.session.commit()
    address = f"/verify/{cert.code}"
    first, _statements = viewed(client, address)
    again, statements = viewed(client, address)
    assert again.status_code == 200 and len(statements) == 1
    assert "page_generation" in statements[0] and "user_account" not in statements[0]
    assert 'data-status="valid"' in again.get_data(as_text=True)
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert again.headers["ETag"] == first.headers["ETag"]  # the validator the view gives
    report, statements = viewed(client, address, headers={"Accept": "application/json"})
    assert report.get_json()["status"] == "valid" and len(statements) > 1
    still_good, statements = viewed(
        client, address, headers={"If-None-Match": first.headers["ETag"]}
    )
    assert still_good.status_code == 304 and len(statements) == 1  # answered early too
    assert still_good.headers["ETag"] == first.headers["ETag"] and still_good.data == b""
    stale = viewed(client, address, headers={"If-None-Match": 'W/"another"'})[0]
    assert stale.status_code == 200 and stale.headers["ETag"] == first.headers["ETag"]

    factories.pass_unit(award.enrollment.units[4])  # reissued: the old one is replaced
    new = issue_certificate(award_credit(award.enrollment, world["coord_tx"]), world["coord_tx"])
    db.session.commit()
    page, statements = viewed(client, address)
    assert len(statements) > 1 and 'data-status="valid"' not in page.get_data(as_text=True)
    assert new.serial in page.get_data(as_text=True)
    viewed(client, f"/verify/{new.code}")
    page, statements = viewed(client, f"/verify/{new.code}")
    assert len(statements) == 1 and cert.serial in page.get_data(as_text=True)
    revoke_certificate(new, world["coord_tx"], "Issued to the wrong student")
    db.session.commit()
    page, statements = viewed(client, f"/verify/{new.code}")
    assert len(statements) > 1 and "Issued to the wrong student" in page.get_data(as_text=True)


def test_flask_logins_session_protection_still_decides(
    client, app, auth, world, waiting, monkeypatch
):
    auth.login(world["teacher_tx1"])
    viewed(client, "/grading/")
    viewed(client, "/grading/")  # kept, then served early
    elsewhere = {"User-Agent": "another browser"}
    page, statements = viewed(client, "/grading/", headers=elsewhere)
    assert page.status_code == 200 and len(statements) == 1  # "basic": no longer fresh only
    monkeypatch.setitem(app.config, "SESSION_PROTECTION", "strong")
    page, _ = viewed(client, "/grading/", headers={"User-Agent": "a third browser"})
    assert page.status_code == 302 and "/login" in page.headers["Location"]


@pytest.mark.own_databases
def test_on_a_pooled_connection_the_check_runs_outside_a_transaction_and_leaves_none(tmp_path):
    with live_database(tmp_path) as url:

        class LiveConfig(TestingConfig):
            SQLALCHEMY_DATABASE_URI = url

        app = create_app(LiveConfig)
        with app.app_context():
            db.create_all()
            world = factories.make_world()
            factories.make_submitted_test(
                factories.make_enrollment(world["student_tx1"], world["course"]).units[0]
            )
            db.session.commit()
            teacher = world["teacher_tx1"].email
            db.session.remove()
            client = app.test_client()
            client.post("/login", data={"email": teacher, "password": factories.PASSWORD})
            client.get("/grading/")
            seen = []

            def note(conn, _cursor, statement, _parameters, _context, _many):
                driver = conn.connection.driver_connection
                seen.append((statement, getattr(driver, "autocommit", None), driver))

            event.listen(db.engine, "before_cursor_execute", note)
            try:
                page = client.get("/grading/")
            finally:
                event.remove(db.engine, "before_cursor_execute", note)
            assert page.status_code == 200 and len(seen) == 1
            statement, autocommit, driver = seen[0]
            assert statement.startswith(EARLY_CHECK)
            if db.engine.dialect.name == "postgresql":
                assert autocommit is True  # no BEGIN, no COMMIT around it
                assert driver.autocommit is False  # pooled again as the sessions expect it
                assert driver.info.transaction_status == TransactionStatus.IDLE
            db.engine.dispose()
