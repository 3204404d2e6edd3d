"""Page weight and slow-connection figures for every student page.

Usage: python bench/page_weight_bench.py
Serves the app (its own SQLite file, the Algebra I A package imported) on a loopback port and
drives Debian's Chromium with Playwright. Each student page is opened on a throttled
connection (CDP Network.emulateNetworkConditions: 400 kbit/s both ways, 400 ms round trip):
first visit (empty cache, no service worker) and later visit (the same browser, service worker
running, the page opened once before). Bytes are counted at the server (headers and the body
as sent, compressed), so they include what the service worker fetched for the page; the
background copy of the course kept for offline use is counted apart. Targets: 60 KB first,
15 KB later, usable (DOMContentLoaded) within 3 s. Chromium applies the emulation to the page's
own requests; a later visit's page comes through the service worker, whose fetch it may not
slow, so the later "usable" figure can be optimistic: its bytes are what counts there.
"""

import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.learning.services import approve_unit_test, start_unit_test  # noqa: E402
from app.users.models import Role  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests import factories  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
SLOW = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
FIRST_LIMIT, LATER_LIMIT, USABLE_LIMIT = 60_000, 15_000, 3.0


class Meter:
    """WSGI middleware: bytes each response put on the wire, page loads and kept copies apart."""

    def __init__(self, app):
        self.app, self.page, self.kept = app, 0, 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        keep = environ.get("HTTP_X_PUENTE_KEEP") == "1"
        sizes = [0]

        def counting_start(status, headers, exc_info=None):
            sizes[0] += len(status) + 13 + sum(len(k) + len(v) + 4 for k, v in headers)
            return start_response(status, headers, exc_info)

        for chunk in self.app(environ, counting_start):
            sizes[0] += len(chunk)
            yield chunk
        with self.lock:
            if keep:
                self.kept += sizes[0]
            else:
                self.page += sizes[0]

    def reset(self):
        with self.lock:
            self.page = self.kept = 0


def seed(app) -> dict:
    with app.app_context():
        course = import_package(ROOT / "courses" / "algebra-i-a")
        site = factories.make_site("US-TX")
        teacher = factories.make_user(Role.TEACHER, site)
        student = factories.make_student(site, given_name="Rosa", family_name="Campos")
        enrollment = factories.make_enrollment(student, course, teacher)
        first, second = enrollment.units[0], enrollment.units[1]
        approve_unit_test(second, teacher)
        start_unit_test(second, student)
        db.session.commit()
        return {
            "email": student.user.email,
            "pages": [
                ("dashboard", "/learn/"),
                ("course", f"/learn/enrollments/{enrollment.id}"),
                ("unit", f"/learn/units/{first.id}"),
                ("lesson", f"/learn/units/{first.id}/lessons/1"),
                ("practice", f"/learn/units/{first.id}/practice"),
                ("unit test", f"/learn/units/{second.id}/test"),
                ("certificates", "/certificates/mine"),
            ],
        }


def visit(page, meter, url) -> tuple[int, float]:
    meter.reset()
    page.goto(url, wait_until="load")
    page.wait_for_timeout(300)  # what the page asks right after load (the service worker's keep)
    usable = page.evaluate(
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd / 1000"
    )
    return meter.page, usable


def main() -> int:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="puente-weight-"))

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'weight.db'}"
        WTF_CSRF_ENABLED = True

    app = create_app(BenchConfig)
    with app.app_context():
        db.create_all()
    data = seed(app)
    meter = Meter(app.wsgi_app)
    app.wsgi_app = meter
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    rows, failed = [], False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        signing = browser.new_context()
        login = signing.new_page()
        login.goto(f"{base}/login")
        login.fill("input[name=email]", data["email"])
        login.fill("input[name=password]", factories.PASSWORD)
        login.get_by_role("button", name="Sign in", exact=True).click()
        login.wait_for_url(f"{base}/learn/")
        state = signing.storage_state()
        signing.close()

        for name, path in data["pages"]:
            first_context = browser.new_context(storage_state=state, service_workers="block")
            page = first_context.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW)
            first_bytes, first_usable = visit(page, meter, base + path)
            first_context.close()

            later_context = browser.new_context(storage_state=state)
            page = later_context.new_page()
            page.goto(base + path)  # the first visit, with the service worker installing
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_timeout(1500)  # its keep of this page's files
            cdp = later_context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW)
            meter.reset()
            later_bytes, later_usable = visit(page, meter, base + path)
            kept = meter.kept
            later_context.close()
            ok = (
                first_bytes < FIRST_LIMIT
                and later_bytes < LATER_LIMIT
                and max(first_usable, later_usable) < USABLE_LIMIT
            )
            failed |= not ok
            rows.append((name, first_bytes, first_usable, later_bytes, later_usable, kept, ok))
        browser.close()
    server.shutdown()

    print("Student pages, 400 kbit/s and 400 ms round trip (CDP network emulation)")
    print(
        f"{'page':<13}{'first KB':>10}{'usable s':>10}{'later KB':>10}{'usable s':>10}"
        f"{'kept KB':>9}  within targets"
    )
    for name, first_bytes, first_usable, later_bytes, later_usable, kept, ok in rows:
        print(
            f"{name:<13}{first_bytes / 1000:>10.1f}{first_usable:>10.2f}"
            f"{later_bytes / 1000:>10.1f}{later_usable:>10.2f}{kept / 1000:>9.1f}  "
            f"{'yes' if ok else 'NO'}"
        )
    print(
        f"targets: first < {FIRST_LIMIT / 1000:.0f} KB, later < {LATER_LIMIT / 1000:.0f} KB, "
        f"usable < {USABLE_LIMIT:.0f} s; 'kept' is the course copied for offline use, "
        "in the background, once per 10 minutes"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
