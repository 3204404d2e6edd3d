"""A student answers a unit test with no connection, or after the session ended: every answer
stays on the phone, then reaches the database once, in order; the app is installable."""

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.learning.models import AnswerReceipt, Attempt, AttemptStatus, ReceiptKind
from app.learning.services import approve_unit_test
from app.users.models import Role
from tests import factories
from tests.axe import assert_accessible

pytestmark = [
    pytest.mark.own_databases,  # a live server on its own database
    # Going offline drops the development server's connections mid-file: werkzeug then leaves
    # the static file for the garbage collector. Nothing of Puente's is left open.
    pytest.mark.filterwarnings(
        "ignore:Exception ignored in. <_io.FileIO name='[^']*/app/static/"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]

KEPT = {
    "en": "Saved on this phone, waiting for a connection",
    "es": "Guardada en este teléfono, esperando conexión",
}
SENT = {"en": "Sent", "es": "Enviada"}


def seed(app, locale: str) -> dict:
    with app.app_context():
        site = factories.make_site("US-TX")
        teacher = factories.make_user(Role.TEACHER, site)
        student = factories.make_student(site, given_name="Rosa", family_name="Campos")
        student.user.locale = locale
        course = factories.make_course_version(code=f"OFFLINE{locale.upper()}")
        enrollment = factories.make_enrollment(student, course, teacher)
        progress = enrollment.units[0]
        approve_unit_test(progress, teacher)
        db.session.commit()
        return {"email": student.user.email, "progress_id": progress.id}


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label(re.compile("Email|Correo", re.I)).fill(email)
    page.get_by_label(re.compile("Password|Contraseña", re.I)).fill(factories.PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in|Iniciar sesión", re.I)).click()
    expect(page).to_have_url(re.compile(r"/learn/$"))


def controlled(page):
    """Wait until the service worker is active and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")


def start_test(page, base, progress_id, locale):
    page.goto(f"{base}/learn/units/{progress_id}")
    controlled(page)
    button = {"en": "Start the unit test", "es": "Empezar el examen de la unidad"}[locale]
    page.get_by_role("button", name=re.compile(button, re.I)).click()
    expect(page).to_have_url(re.compile(r"/test$"))
    controlled(page)


def status(page, n):
    return page.locator(".item").nth(n).locator("[data-status]")


def recorded(app, progress_id):
    """The attempt's answers {item key: response}, its status, and receipts per item key."""
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.unit_progress_id == progress_id))
        answers = {a.item.key: a.response for a in attempt.answers}
        receipts = db.session.execute(
            select(AnswerReceipt.item_id, AnswerReceipt.kind, func.count())
            .where(AnswerReceipt.attempt_id == attempt.id)
            .group_by(AnswerReceipt.item_id, AnswerReceipt.kind)
        ).all()
        keys = {a.item_id: a.item.key for a in attempt.answers}
        per_item = {
            (keys.get(item_id, "hand_in"), kind): count for item_id, kind, count in receipts
        }
        return answers, attempt.status, per_item


def arrived(app, progress_id, expected, seconds=15):
    """Wait until the database holds the expected answers (the phone sends on its own)."""
    deadline = time.monotonic() + seconds
    while recorded(app, progress_id)[0] != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert recorded(app, progress_id)[0] == expected


def test_offline_in_the_middle_of_a_unit_test(live_app, live_server, browser):
    data = seed(live_app, "en")
    phone = browser.new_context(locale="en-US")
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    sign_in(page, live_server, data["email"])
    start_test(page, live_server, data["progress_id"], "en")
    test_url = page.url
    assert_accessible(page)

    page.locator("input[type=radio][value=b]").check()
    expect(status(page, 0)).to_have_text(SENT["en"])

    phone.set_offline(True)
    page.locator("input[inputmode=decimal]").fill("12")
    page.locator("textarea").fill("I add both amounts.")
    page.locator("textarea").blur()
    expect(status(page, 1)).to_have_text(KEPT["en"])
    expect(status(page, 2)).to_have_text(KEPT["en"])
    # An unsent answer is never in the success colour.
    colours = page.evaluate(
        "[...document.querySelectorAll('[data-status]')].map(e => getComputedStyle(e).color)"
    )
    assert colours[1] != colours[0] and colours[2] != colours[0]
    expect(page.locator("#outbox")).to_contain_text("2 answers saved on this phone")
    page.close()

    # Reopened with no connection: the page comes from the phone, the answers from its outbox.
    page = phone.new_page()
    page.goto(test_url)
    expect(page.locator("input[inputmode=decimal]")).to_have_value("12")
    expect(page.locator("textarea")).to_have_value("I add both amounts.")
    expect(page.locator("input[type=radio][value=b]")).to_be_checked()
    page.locator("textarea").fill("I add both amounts, step by step.")
    page.locator("textarea").blur()
    assert recorded(live_app, data["progress_id"])[0] == {"t1": "b"}

    phone.set_offline(False)
    expect(status(page, 1)).to_have_text(SENT["en"])
    expect(status(page, 2)).to_have_text(SENT["en"])
    expect(page.locator("#outbox")).to_be_hidden()
    answers, state, receipts = recorded(live_app, data["progress_id"])
    assert answers == {"t1": "b", "t2": "12", "t3": "I add both amounts, step by step."}
    assert receipts[("t1", ReceiptKind.ANSWER)] == 1
    assert receipts[("t2", ReceiptKind.ANSWER)] == 1
    assert receipts[("t3", ReceiptKind.ANSWER)] <= 2  # the newer text replaced the older
    assert state == AttemptStatus.IN_PROGRESS

    # Handed in with no connection: queued, then handed in once when the connection returns.
    phone.set_offline(True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Hand in").click()
    expect(
        page.get_by_role("status").filter(has_text="handed in when there is a connection")
    ).to_be_visible()
    assert recorded(live_app, data["progress_id"])[1] == AttemptStatus.IN_PROGRESS
    phone.set_offline(False)
    expect(page).to_have_url(re.compile(r"/result$"))
    expect(page.get_by_test_id("auto-score")).to_contain_text("2 of 2")
    answers, state, receipts = recorded(live_app, data["progress_id"])
    assert state == AttemptStatus.SUBMITTED
    assert receipts[("hand_in", ReceiptKind.HAND_IN)] == 1
    phone.close()


def test_lost_session_keeps_the_answers_and_sends_them_after_signing_in(
    live_app, live_server, browser
):
    data = seed(live_app, "es")
    phone = browser.new_context(locale="es-MX")
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    sign_in(page, live_server, data["email"])
    start_test(page, live_server, data["progress_id"], "es")
    assert_accessible(page)
    expect(page.get_by_test_id("conflict-rule")).to_contain_text("la última")

    phone.clear_cookies()  # the session ends (expired, signed out elsewhere)
    page.locator("input[type=radio][value=b]").check()
    page.locator("input[inputmode=decimal]").fill("12")
    page.locator("input[inputmode=decimal]").blur()
    expect(status(page, 1)).to_have_text(KEPT["es"])
    page.get_by_role("button", name="Guardar y terminar después").click()
    expect(page.locator("#outbox")).to_contain_text("al volver a iniciar sesión")
    expect(
        page.get_by_role("status").filter(has_text="Tus respuestas están guardadas")
    ).to_be_visible()
    assert recorded(live_app, data["progress_id"])[0] == {}
    page.close()

    page = phone.new_page()
    sign_in(page, live_server, data["email"])  # the first page after signing in sends them
    arrived(live_app, data["progress_id"], {"t1": "b", "t2": "12"})
    page.goto(f"{live_server}/learn/units/{data['progress_id']}/test")
    expect(page.locator("input[type=radio][value=b]")).to_be_checked()
    expect(page.locator("input[inputmode=decimal]")).to_have_value("12")
    expect(page.locator("#outbox")).to_be_hidden()
    answers, _, receipts = recorded(live_app, data["progress_id"])
    assert answers == {"t1": "b", "t2": "12"}
    assert receipts[("t1", ReceiptKind.ANSWER)] == 1
    assert receipts[("t2", ReceiptKind.ANSWER)] == 1
    assert_accessible(page)
    phone.close()


def test_installable_manifest_and_service_worker(live_app, live_server, browser):
    data = seed(live_app, "en")
    phone = browser.new_context(locale="en-US")
    page = phone.new_page()
    sign_in(page, live_server, data["email"])
    controlled(page)
    registration = page.evaluate(
        "navigator.serviceWorker.getRegistration().then(r => ({scope: r.scope, script: r.active.scriptURL}))"
    )
    assert registration == {"scope": f"{live_server}/", "script": f"{live_server}/sw.js"}
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(f"{live_server}{href}")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == "Puente" and body["display"] == "standalone"
    assert body["start_url"] == "/" and body["scope"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in body["icons"]:
        assert (
            page.request.get(f"{live_server}{icon['src']}").headers["content-type"] == "image/png"
        )
    assert_accessible(page)
    phone.close()


def test_lessons_and_practice_without_a_connection(live_app, live_server, browser):
    data = seed(live_app, "es")
    phone = browser.new_context(locale="es-MX")
    phone.set_default_timeout(15_000)
    page = phone.new_page()
    sign_in(page, live_server, data["email"])
    page.goto(f"{live_server}/learn/units/{data['progress_id']}")  # keeps the course
    controlled(page)
    practice_url = f"{live_server}/learn/units/{data['progress_id']}/practice"
    kept = f"caches.open('puente-pages').then(c => c.match('{practice_url}')).then(r => !!r)"
    deadline = time.monotonic() + 15
    while not page.evaluate(kept) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert page.evaluate(kept)

    phone.set_offline(True)
    page.goto(f"{live_server}/learn/units/{data['progress_id']}/lessons/1")
    expect(page.get_by_role("heading", name="Introducción")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("práctica", re.I)).click()  # turns the page
    expect(page).to_have_url(practice_url)
    page.locator("input[type=radio][value=b]").check()
    expect(page.locator("[data-result]")).to_have_text("Correcto (revisado en este teléfono)")
    expect(status(page, 0)).to_have_text(KEPT["es"])
    assert_accessible(page)

    phone.set_offline(False)
    expect(status(page, 0)).to_have_text(SENT["es"])
    expect(page.locator("[data-result]")).to_have_text("Correcto")
    with live_app.app_context():
        receipts = db.session.scalar(select(func.count()).select_from(AnswerReceipt))
    assert receipts == 1
    phone.close()
