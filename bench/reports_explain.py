"""What each report page's statements cost: EXPLAIN (ANALYZE, BUFFERS) of every statement a
report page sends, as the US-TX state coordinator (and the national admin with --admin).

Usage: DATABASE_URL=postgresql+psycopg://.../bench python bench/reports_explain.py [--refresh]
Prints per statement its planning and execution milliseconds, the rows its scans read (rows
returned plus rows a filter removed, times loops) and the buffers it touched, and per page the
sums. Execution time of a cached plan is database CPU; the buffers show it reads no more.
PostgreSQL only (SQLite has no EXPLAIN ANALYZE).
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.instance import use_bench_instance  # noqa: E402

use_bench_instance()  # before config.py is read

from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports.facts import refresh_report_facts  # noqa: E402
from app.users.models import Role, User  # noqa: E402

PAGES = ["/reports/progress", "/reports/attention", "/reports/program"]


def scanned(node: dict) -> int:
    """Rows the plan's scans read: returned plus removed by a filter, times loops."""
    total = 0
    if "Scan" in node.get("Node Type", ""):
        loops = node.get("Actual Loops", 1)
        total += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
    for child in node.get("Plans", []):
        total += scanned(child)
    return total


def capture(client, url: str) -> list[tuple[str, object]]:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(Engine, "before_cursor_execute", before)
    return statements


def explain(statement: str, parameters) -> dict:
    with db.engine.connect() as conn:
        conn.exec_driver_sql(statement, parameters).all()  # warm the cache first
        row = conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
        ).scalar()
    plan = row[0] if isinstance(row, list) else json.loads(row)[0]
    return plan


def text_plan(statement: str, parameters) -> str:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    return "\n".join(row[0] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="rebuild the report facts first")
    parser.add_argument("--admin", action="store_true", help="also the national admin")
    parser.add_argument("--verbose", action="store_true", help="print each statement's SQL")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if args.refresh:
            refresh_report_facts()
            db.session.commit()
        who = [
            (
                "US-TX",
                db.session.scalar(select(User).where(User.email == "coordinator.tx@bench.puente")),
            )
        ]
        if args.admin:
            who.append(("admin", db.session.scalar(select(User).where(User.role == Role.ADMIN))))
        sessions = [(label, user.get_id()) for label, user in who]
        db.session.remove()
    for label, user_id in sessions:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        for url in PAGES:
            client.get(url)
            statements = capture(client, url)
            sums = [0.0, 0.0, 0, 0]
            print(f"\n{label} {url}: {len(statements)} statements")
            with app.app_context():
                for number, (statement, parameters) in enumerate(statements, 1):
                    plan = explain(statement, parameters)
                    top = plan["Plan"]
                    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
                    figures = (plan["Planning Time"], plan["Execution Time"], scanned(top), buffers)
                    sums = [a + b for a, b in zip(sums, figures, strict=True)]
                    first = " ".join(statement.split())[:90]
                    print(
                        f"  {number:2} plan {figures[0]:6.2f} ms  exec {figures[1]:8.2f} ms  "
                        f"rows scanned {figures[2]:>9,}  buffers {figures[3]:>7,}  {first}"
                    )
                    if args.verbose and figures[2] > 5000:
                        print(statement, parameters)
                        print(text_plan(statement, parameters))
            print(
                f"  == plan {sums[0]:.2f} ms, exec {sums[1]:.2f} ms, rows scanned {sums[2]:,}, "
                f"buffers {sums[3]:,}"
            )


if __name__ == "__main__":
    main()
