"""Report latency at national scale: p50/p95 of each report page for a state coordinator.

Usage: DATABASE_URL=postgresql+psycopg://.../bench python bench/reports_bench.py [--requests 40]
Run bench/seed.py first (213,569 students); the script rebuilds the report facts (the job
worker's periodic task) before measuring. Each request goes through the whole app in process
(routing, sign-in from the session, filters, the report's queries, charts, the template) as the
US-TX state coordinator; the national admin view is measured too, for reference. Target: a state
report answers in 200 ms or less at p95 on PostgreSQL.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.instance import use_bench_instance  # noqa: E402

use_bench_instance()  # before config.py is read

from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports.facts import refresh_report_facts  # noqa: E402
from app.users.models import Role, User  # noqa: E402

PAGES = ["/reports/progress", "/reports/attention", "/reports/program", "/reports/progress.csv"]


def measure(client, url: str, requests: int) -> tuple[float, float]:
    client.get(url)  # warm caches and the query plan
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        coordinator = db.session.scalar(
            select(User).where(User.email == "coordinator.tx@bench.puente")
        )
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN))
        started = time.perf_counter()
        refresh = refresh_report_facts()  # what the job worker does every few minutes
        db.session.commit()
        print(
            f"report facts rebuilt: {refresh.rows:,} enrollments in "
            f"{time.perf_counter() - started:.1f} s (the worker's job, not a request)"
        )
        who = [("US-TX state coordinator", coordinator)]
        if admin is not None:
            who.append(("admin (national)", admin))
        sessions = [(label, user.get_id()) for label, user in who]
    print(f"load average (1, 5, 15 min) before: {os.getloadavg()}, CPUs: {os.cpu_count()}")
    for label, user_id in sessions:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        for url in PAGES:
            p50, p95 = measure(client, url, args.requests)
            print(f"{label:26} {url:24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
