"""In-process benchmark of what every request pays: requests/s and CPU ms per page, beside a bare
Flask "hello", through the test client (no network, no server), optionally under cProfile.

Usage: PUENTE_INSTANCE=... DATABASE_URL=... python bench/fixed_cost_bench.py [--requests 500]
       [--profile PAGE] [--page NAME ...]
The database must hold the demo (`flask db upgrade && flask demo load`): it signs in as a demo
student, teacher and coordinator and opens a certificate's public check.
"""

import argparse
import cProfile
import os
import pstats
import re
import sys
import time
from pathlib import Path

# BENCH_APP_ROOT: measure another checkout (e.g. the code before a change) with this script.
sys.path.insert(0, os.environ.get("BENCH_APP_ROOT") or str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FLASK_CONFIG", "production")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("PUBLIC_BASE_URL", "https://bench.example")

from flask import Flask  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PASSWORD = "puente-demo"
# (name, path, who signs in or None); {code} is a valid certificate's code.
PAGES = [
    ("bare flask hello", "/", "bare"),
    ("sign-in page", "/login", None),
    ("student dashboard", "/learn/", "ana.garcia@example.org"),
    ("students list, teacher", "/students/", "teacher.rgv@example.org"),
    ("grading queue, teacher", "/grading/", "teacher.rgv@example.org"),
    ("grading queue, coordinator", "/grading/", "coordinator.tx@example.org"),
    ("verify page", "/verify/{code}", None),
]
HEADERS = {"Accept-Encoding": "br, gzip", "Accept-Language": "en-US,en;q=0.8"}


def bare_app() -> Flask:
    app = Flask("hello")

    @app.route("/")
    def hello():
        return "Hello, World!"

    return app


def signed_in_client(app: Flask, email: str | None):
    client = app.test_client()
    if email is None:
        return client
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""},
    )
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {response.status_code}")
    return client


def measure(client, path: str, count: int) -> tuple[float, float]:
    """(requests/s wall, CPU ms per request) over `count` requests after a warm-up."""
    for _ in range(20):
        response = client.get(path, headers=HEADERS)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    wall, cpu = time.perf_counter(), time.process_time()
    refused = sum(client.get(path, headers=HEADERS).status_code != 200 for _ in range(count))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if refused:
        raise SystemExit(f"{path}: {refused} of {count} answers were not 200")
    return count / wall, cpu * 1000 / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--profile", help="profile this page (its name) and print the top")
    parser.add_argument("--page", action="append", help="only these pages (names)")
    args = parser.parse_args()

    app = create_app()
    # The limits stay checked, but high enough for one client's loop.
    app.config["VERIFY_RATE_LIMIT"] = "1000000 per minute"
    with app.app_context():
        from app.certificates.models import Certificate

        code = db.session.scalar(
            select(Certificate.code).where(Certificate.revoked_at.is_(None)).limit(1)
        )
    bare = bare_app()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.requests} requests a page")
    print(f"{'page':32} {'req/s':>8} {'CPU ms':>8} {'ratio':>6}")
    bare_rate = None
    for name, path, who in PAGES:
        if args.page and name not in args.page and who != "bare":
            continue
        client = bare.test_client() if who == "bare" else signed_in_client(app, who)
        path = path.format(code=code)
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            measure(client, path, args.requests)
            profile.disable()
            stats = pstats.Stats(profile).sort_stats("cumulative")
            stats.print_stats(60)
            stats.sort_stats("tottime").print_stats(40)
            continue
        rate, cpu_ms = measure(client, path, args.requests)
        bare_rate = bare_rate or rate
        print(f"{name:32} {rate:8.0f} {cpu_ms:8.2f} {rate / bare_rate:6.3f}")


if __name__ == "__main__":
    main()
