"""Seed a database at national scale for benchmarks (bulk inserts, explicit ids).

Usage: DATABASE_URL=sqlite:///instance/bench.db python bench/seed.py [--students 213569]
Creates the schema with the real migrations, imports the course packages, then adds sites,
teachers, students, enrollments, unit progress and a grading backlog. Prints what it made.
"""

import argparse
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.common import utcnow  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Attempt,
    AttemptStatus,
    CourseVersion,
    Enrollment,
    Site,
    Student,
    UnitProgress,
    UnitStatus,
    User,
)
from bench.guard import ensure_bench_database, mark_bench_database  # noqa: E402
from config import BASE_DIR  # noqa: E402

STATES = [
    "US-TX",
    "US-CA",
    "US-FL",
    "US-WA",
    "US-ND",
    "US-MI",
    "US-NY",
    "US-OR",
    "US-GA",
    "US-NC",
    "US-ID",
    "US-KS",
    "MX-MIC",
    "MX-JAL",
    "MX-GUA",
    "MX-OAX",
]
PASSWORD = "bench-pass-1"
BATCH = 20_000


def chunks(rows: list[dict], size: int = BATCH):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(model, rows: list[dict]) -> None:
    for part in chunks(rows):
        db.session.execute(insert(model), part)


def seed(students: int, sites: int, backlog: float, rng: random.Random) -> dict:
    ensure_bench_database()
    db.drop_all()
    db.session.commit()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(directory=str(BASE_DIR / "migrations"))
    mark_bench_database(Path(__file__).name)
    for package in sorted(Path(current_app.config["COURSES_DIR"]).glob("*/course.toml")):
        import_package(package.parent)
    db.session.commit()
    versions = db.session.scalars(select(CourseVersion)).all()
    units = {cv.id: [(u.id, u.number) for u in cv.units] for cv in versions}
    now = utcnow()
    password_hash = generate_password_hash(PASSWORD)

    bulk(
        Site,
        [
            {
                "id": i,
                "code": f"B{i:04d}",
                "name": f"Bench site {i}",
                "state_code": STATES[i % len(STATES)],
            }
            for i in range(1, sites + 1)
        ],
    )
    users = []
    for site_id in range(1, sites + 1):
        for n in (1, 2):
            users.append(
                {
                    "id": len(users) + 1,
                    "email": f"teacher{n}.s{site_id}@bench.puente",
                    "role": "teacher",
                    "site_id": site_id,
                    "given_name": "Bench",
                    "family_name": f"Teacher {site_id}-{n}",
                    "password_hash": password_hash,
                    "is_active": True,
                    "created_at": now,
                }
            )
    coordinator_id = len(users) + 1
    users.append(
        {
            "id": coordinator_id,
            "email": "coordinator.tx@bench.puente",
            "role": "coordinator",
            "state_code": "US-TX",
            "given_name": "Bench",
            "family_name": "Coordinator",
            "password_hash": password_hash,
            "is_active": True,
            "created_at": now,
        }
    )
    student_user_id = len(users) + 1
    users.append(
        {
            "id": student_user_id,
            "email": "student@bench.puente",
            "role": "student",
            "site_id": 1,
            "given_name": "Bench",
            "family_name": "Student",
            "password_hash": password_hash,
            "is_active": True,
            "created_at": now,
        }
    )
    bulk(User, users)

    student_rows, enrollment_rows, progress_rows, attempt_rows = [], [], [], []
    statuses = [UnitStatus.PASSED, UnitStatus.FAILED, UnitStatus.IN_PROGRESS]
    for sid in range(1, students + 1):
        site_id = 1 if sid == 1 else rng.randint(1, sites)
        student_rows.append(
            {
                "id": sid,
                "site_id": site_id,
                "given_name": f"Given{sid}",
                "family_name": f"Family{sid % 5000}",
                "kind": "secondary",
                "grade_level": 9 + sid % 4,
                "user_id": student_user_id if sid == 1 else None,
                "created_at": now,
            }
        )
        chosen = versions if sid == 1 else [rng.choice(versions)]
        for cv in chosen:
            eid = len(enrollment_rows) + 1
            enrollment_rows.append(
                {
                    "id": eid,
                    "student_id": sid,
                    "course_version_id": cv.id,
                    "status": "active",
                    "assigned_at": now,
                    "started_at": now,
                }
            )
            done = rng.randint(0, len(units[cv.id]))
            waiting = rng.random() < backlog
            for unit_id, number in units[cv.id]:
                pid = len(progress_rows) + 1
                status = UnitStatus.NOT_STARTED
                best = None
                if number <= done:
                    status = rng.choice(statuses)
                    best = round(
                        rng.uniform(62, 99) if status == UnitStatus.PASSED else rng.uniform(30, 59),
                        1,
                    )
                elif number == done + 1 and waiting:
                    status = UnitStatus.AWAITING_GRADING
                    attempt_rows.append(
                        {
                            "id": len(attempt_rows) + 1,
                            "unit_progress_id": pid,
                            "section": "test",
                            "number": 1,
                            "mode": "online",
                            "status": AttemptStatus.SUBMITTED.value,
                            "site_id": site_id,
                            "started_at": now,
                            "auto_points": 3,
                            "manual_points": 0,
                            "max_points": 8,
                            "submitted_at": now - timedelta(minutes=rng.randint(1, 20000)),
                        }
                    )
                progress_rows.append(
                    {
                        "id": pid,
                        "enrollment_id": eid,
                        "unit_id": unit_id,
                        "unit_number": number,
                        "status": status.value,
                        "best_test_percent": best,
                        "lessons_read": 3 if best else 0,
                        "test_attempts": 1 if best or status == UnitStatus.AWAITING_GRADING else 0,
                        "updated_at": now,
                    }
                )
    bulk(Student, student_rows)
    bulk(Enrollment, enrollment_rows)
    bulk(UnitProgress, progress_rows)
    bulk(Attempt, attempt_rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            for table in (
                "site",
                "user_account",
                "student",
                "enrollment",
                "unit_progress",
                "attempt",
            ):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            connection.exec_driver_sql("ANALYZE")
    else:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return {
        "sites": sites,
        "students": students,
        "enrollments": len(enrollment_rows),
        "unit_progress": len(progress_rows),
        "awaiting_grading": len(attempt_rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=213_569)
    parser.add_argument("--sites", type=int, default=400)
    parser.add_argument("--backlog", type=float, default=0.03, help="share with a test to grade")
    args = parser.parse_args()
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        made = seed(args.students, args.sites, args.backlog, random.Random(20261124))
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    print(", ".join(f"{k}={v:,}" for k, v in made.items()))
    print(f"seeded in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
