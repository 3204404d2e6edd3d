"""What a request costs before any page is rendered, in one process (CPU ms per request).

Usage: DATABASE_URL=... python bench/request_floor.py [--requests 500]
Run bench/seed.py first (it signs in as the seeded student). Prints, each through Flask's test
client in this process (no gunicorn, no network between client and app):
  bare Flask      a hello app (bench/hello_app.py);
  kept sign-in    Puente's sign-in page served kept (no query: session, CSRF token, headers);
  user + commit   a signed-in request's least work: the user loaded by primary key (the
                  session's version checked in the database), the commit point, the session
                  closed — with a raw SELECT 1 round trip for scale;
  kept dashboard  the student's dashboard served kept (the user, the student, the generations).
The floor a signed-in page cannot go under is the third line: the ratio of the bare app to it is
the best a signed-in page could reach on this machine.
"""

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FLASK_CONFIG", "production")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("PUBLIC_BASE_URL", "https://bench.puente.example")

from sqlalchemy import select, text  # noqa: E402

STUDENT, PASSWORD = "student@bench.puente", "bench-pass-1"


def cpu_ms(work, requests: int) -> float:
    for _ in range(max(20, requests // 10)):
        work()
    started = time.process_time()
    for _ in range(requests):
        work()
    return (time.process_time() - started) * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    from app.extensions import db
    from app.users.models import User
    from bench.hello_app import app as hello
    from wsgi import app

    bare = hello.test_client()
    anonymous = app.test_client(use_cookies=False)
    signed_in = app.test_client()
    page = signed_in.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = signed_in.post(
        "/login", data={"email": STUDENT, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise SystemExit("could not sign in as the seeded student: run bench/seed.py first")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == STUDENT))
        db.session.remove()

        def user_and_commit():
            db.session.get(User, user_id)
            db.session.commit()
            db.session.remove()

        def select_one():
            db.session.execute(text("SELECT 1"))
            db.session.commit()
            db.session.remove()

        rows = [
            ("bare Flask", lambda: bare.get("/")),
            ("kept sign-in page", lambda: anonymous.get("/login")),
            ("SELECT 1 + commit", select_one),
            ("user + commit", user_and_commit),
        ]
        measured = [(label, cpu_ms(work, args.requests)) for label, work in rows]
    measured.append(("kept dashboard", cpu_ms(lambda: signed_in.get("/learn/"), args.requests)))
    base = measured[0][1]
    print(f"{'':20s} CPU ms/request   bare Flask over it")
    for label, ms in measured:
        print(f"{label:20s} {ms:10.3f}   {base / ms:10.3f}")


if __name__ == "__main__":
    main()
