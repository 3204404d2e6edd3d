"""Browser tests: a live server on its own SQLite file, driven by Debian's Chromium."""

import threading

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from config import TestingConfig

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def live_app(tmp_path):
    class BrowserConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'browser.db'}"
        WTF_CSRF_ENABLED = True

    app = create_app(BrowserConfig)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()
