"""axe-core over every page of the route table (tests/test_access.py), in English and Spanish.

Each GET route (the JSON API and the peer service aside) is visited as a role the table lets in (anonymous first, where it may), with the
table's own sample objects, in one browser: one page per role and language, reused. A route
answering anything but HTML (PDF, JSON, CSV) is not a page. New rows are covered by themselves.
"""

import threading

import pytest
from flask import url_for
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig
from tests import factories
from tests.axe import accessibility_violations
from tests.browser.conftest import CHROMIUM
from tests.test_access import OK, ROLES, TABLE, make_objects, routes

pytestmark = pytest.mark.own_databases  # a live server on its own database

# English on a desktop screen, Spanish on a 390 px phone (where wide tables would scroll).
LANGUAGES = {
    "en": ("en-US", {"width": 1280, "height": 900}),
    "es": ("es-MX", {"width": 390, "height": 844}),
}
# Visiting these in a browser would end the session the next pages need.
LAST = ("auth.logout",)


@pytest.fixture
def live(tmp_path):
    class AxeConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'axe.db'}"
        RATELIMIT_ENABLED = False

    app = create_app(AxeConfig)
    with app.app_context():
        db.create_all()
        monkeypatch = pytest.MonkeyPatch()
        users, params = make_objects(app, factories.make_world(), tmp_path, monkeypatch)
        cookies = {role: _session_cookie(app, user) for role, user in users.items()}
        visits = _visits(app, params)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", cookies, visits
    server.shutdown()
    thread.join(5)
    monkeypatch.undo()
    with app.app_context():
        db.engine.dispose()


def _session_cookie(app, user) -> str:
    """A signed-in session, as /login would leave it (Flask's own signed cookie)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True})


def _visits(app, params) -> list[tuple[str, str, str]]:
    """(endpoint, role, path) for every GET route of the table, as a role that may see it."""
    visits = []
    rules = routes(app)
    with app.test_request_context():
        for endpoint in sorted(TABLE, key=lambda name: (name in LAST, name)):
            rule = rules[endpoint]
            if "GET" not in rule.methods or endpoint.startswith(("api_", "peer.")):
                continue
            role = next((r for r in ROLES if TABLE[endpoint][r] == OK), None)
            if role is None:
                continue
            path = url_for(endpoint, **{name: params[name] for name in rule.arguments})
            visits.append((endpoint, role, path))
    return visits


def test_every_page_has_no_critical_or_serious_violation_in_both_languages(live):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    base, cookies, visits = live
    found, wrong, pages_checked = [], [], 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        pages = {}
        for language, (locale, viewport) in LANGUAGES.items():
            for endpoint, role, path in visits:
                if (role, language) not in pages:
                    context = browser.new_context(locale=locale, viewport=viewport)
                    if role != "anonymous":
                        context.add_cookies(
                            [{"name": "session", "value": cookies[role], "url": base}]
                        )
                    pages[role, language] = context.new_page()
                page = pages[role, language]
                try:
                    answer = page.goto(base + path)
                except PlaywrightError as error:
                    if "Download is starting" in str(error):
                        continue  # a file (PDF, CSV, ZIP): not a page
                    raise
                if "text/html" not in answer.headers.get("content-type", ""):
                    continue  # JSON or a document the browser shows: not a page
                pages_checked += 1
                if page.evaluate("document.documentElement.lang") != language:
                    wrong.append(
                        (
                            endpoint,
                            role,
                            language,
                            "lang=" + page.evaluate("document.documentElement.lang"),
                        )
                    )
                if role != "anonymous" and "/login" in page.url:
                    wrong.append((endpoint, role, language, "sent to sign in"))
                for violation in accessibility_violations(page):
                    found.append((endpoint, role, language, violation))
        browser.close()
    assert pages_checked > 50
    assert not wrong, wrong  # each page was seen in its language, by a signed-in role
    report = "\n".join(f"{e} as {r} ({lang}): {v}" for e, r, lang, v in found)
    assert not found, f"{len(found)} violations:\n{report}"
