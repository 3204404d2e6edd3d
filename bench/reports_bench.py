"""Report latency at national scale: p50/p95 of each report page for a state coordinator.

Usage: DATABASE_URL=postgresql+psycopg://.../bench python bench/reports_bench.py [--requests 40]
Run bench/seed.py first (213,569 students); the script rebuilds the report facts (the job
worker's periodic task) before measuring. Each request goes through the whole app in process
(routing, sign-in from the session, filters, the report's queries, charts, the template) as the
US-TX state coordinator; the national admin view is measured too, for reference. Target: a state
report answers in 200 ms or less at p95 on PostgreSQL.

Beside wall times (inflated on a shared machine) it prints CPU per request: the app's (this
process) and, on PostgreSQL on this machine, the database's (the server processes serving this
script's connections, read from /proc).
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

from sqlalchemy import event, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports.facts import refresh_report_facts  # noqa: E402
from app.users.models import Role, User  # noqa: E402

PAGES = ["/reports/progress", "/reports/attention", "/reports/program", "/reports/progress.csv"]


BACKENDS: set[int] = set()  # PostgreSQL server processes of this script's connections


SERIAL = False


def _remember_backend(dbapi_connection, record) -> None:
    cursor = dbapi_connection.cursor()
    if SERIAL:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
    cursor.execute("SELECT pg_backend_pid()")
    BACKENDS.add(cursor.fetchone()[0])
    cursor.close()


def database_cpu() -> float:
    """CPU seconds the server processes of this script's connections have used (0 if unknown)."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for pid in BACKENDS:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def measure(client, url: str, requests: int) -> tuple[float, float, float, float]:
    """p50 and p95 wall ms, and app and database CPU ms per request."""
    client.get(url)  # warm caches and the query plan
    times = []
    cpu, db_cpu = time.process_time(), database_cpu()
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    app_ms = (time.process_time() - cpu) * 1000 / requests
    db_ms = (database_cpu() - db_cpu) * 1000 / requests
    times.sort()
    return statistics.median(times), times[int(round(0.95 * (len(times) - 1)))], app_ms, db_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument(
        "--serial",
        action="store_true",
        help="no parallel query workers (their CPU is not counted): the database CPU is whole",
    )
    args = parser.parse_args()
    global SERIAL
    SERIAL = args.serial
    app = create_app()
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        if db.engine.dialect.name == "postgresql":
            db.engine.dispose()
            event.listen(db.engine, "connect", _remember_backend)
            db.session.execute(text("SELECT 1"))
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
            p50, p95, app_ms, db_ms = measure(client, url, args.requests)
            print(
                f"{label:26} {url:24} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
                f"CPU app {app_ms:6.1f} ms  database {db_ms:6.1f} ms"
            )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
