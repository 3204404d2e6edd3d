"""Benchmark the OneRoster import at national scale (213,569 students by default).

Usage: DATABASE_URL=sqlite:///instance/roster-bench.db python bench/roster_bench.py [--students N]
Writes a OneRoster 1.2 CSV set (orgs, users, classes, enrollments, roles, demographics) for N students
in 400 schools across 16 states, migrates an empty database, imports the course packages and an
admin, then times `import_roster` exactly as the page and `flask rosters import` run it (checking
every row, then writing sites, students, enrollments and unit progress in one transaction), and
times a second import of the same set (every student matched, nothing new), then times a OneRoster
1.2 export (roster and Gradebook files) of every site. Prints the figures.
"""

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Enrollment, Role, Student, UnitProgress, User  # noqa: E402
from app.rosters.export import export_oneroster  # noqa: E402
from app.rosters.files import read_folder  # noqa: E402
from app.rosters.services import import_roster  # noqa: E402
from app.sites.models import Site  # noqa: E402
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
GIVEN = [
    "Ana",
    "Luis",
    "María",
    "José",
    "Daniela",
    "Camila",
    "Santiago",
    "Valeria",
    "Diego",
    "Sofía",
]
FAMILY = ["García", "Hernández", "Torres", "Ramírez", "Flores", "Chávez", "Aguilar", "López"]
COURSES = ["ALG1A", "ENG9A", "USHISTA"]


def write_roster(folder: Path, students: int, schools: int, rng: random.Random) -> None:
    def table(name: str, header: list[str], rows) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    table(
        "manifest.csv",
        ["propertyName", "value"],
        [
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.2"],
            ["file.orgs", "bulk"],
            ["file.users", "bulk"],
            ["file.classes", "bulk"],
            ["file.enrollments", "bulk"],
            ["file.roles", "bulk"],
            ["file.demographics", "bulk"],
        ],
    )
    org_header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ]
    orgs = [[f"st-{s}", "", "", s, "state", s, ""] for s in STATES]
    orgs += [
        [f"sch-{i}", "", "", f"School {i}", "school", f"RB{i:04d}", f"st-{STATES[i % 16]}"]
        for i in range(schools)
    ]
    table("orgs.csv", org_header, orgs)
    table(
        "classes.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
        [
            [f"cls-{i}-{c}", "", "", c, "09", c, c, "scheduled", "", f"sch-{i}", "t1", "", "", ""]
            for i in range(schools)
            for c in COURSES
        ],
    )
    user_header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ]
    users, roles, births, enrollments = [], [], [], []
    for n in range(students):
        school = f"sch-{n % schools}"
        ids = f"{{MSIX:{n + 100_000_000_000:012d}}}"
        users.append(
            [
                f"u-{n}",
                "",
                "",
                "true",
                f"u{n}",
                ids,
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                "",
                f"S{n:09d}",
                "",
                "",
                "",
                "",
                f"{rng.randint(9, 12):02d}",
                "",
                "",
                "",
                "",
                "",
                "",
                school,
                "",
            ]
        )
        roles.append([f"r-{n}", "", "", f"u-{n}", "primary", "student", "", "", school, ""])
        births.append(
            [
                f"u-{n}",
                "",
                "",
                f"{rng.randint(2006, 2011)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            ]
        )
        enrollments.append(
            [
                f"e-{n}",
                "",
                "",
                f"cls-{n % schools}-{COURSES[n % 3]}",
                school,
                f"u-{n}",
                "student",
                "false",
                "",
                "",
            ]
        )
    table("users.csv", user_header, users)
    table(
        "roles.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ],
        roles,
    )
    table("demographics.csv", ["sourcedId", "status", "dateLastModified", "birthDate"], births)
    table(
        "enrollments.csv",
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        enrollments,
    )


def prepare_database() -> User:
    ensure_bench_database()
    db.drop_all()
    db.session.commit()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(directory=str(BASE_DIR / "migrations"))
    mark_bench_database(Path(__file__).name)
    for package in sorted((BASE_DIR / "courses").iterdir()):
        if (package / "course.toml").exists():
            import_package(package)
    admin = User(
        email="roster-admin@example.org",
        role=Role.ADMIN,
        given_name="Roster",
        family_name="Admin",
        password_hash="!",
    )
    db.session.add(admin)
    db.session.commit()
    return admin


def timed_import(folder: Path, admin: User) -> tuple[float, dict]:
    started = time.perf_counter()
    record = import_roster(read_folder(folder), admin, "bench", b"")
    db.session.commit()
    return time.perf_counter() - started, record.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=213_569)
    parser.add_argument("--schools", type=int, default=400)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    app = create_app()
    try:
        started = time.perf_counter()
        write_roster(folder, args.students, args.schools, random.Random(2026))
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(
            f"OneRoster set: {args.students:,} students, {args.schools} schools, "
            f"{size:.1f} MB of CSV, written in {time.perf_counter() - started:.1f} s"
        )
        with app.app_context():
            print(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
            admin = prepare_database()
            seconds, counts = timed_import(folder, admin)
            rows = {
                m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Student, Enrollment, UnitProgress)
            }
            print(
                f"First import: {seconds:.1f} s = {args.students / seconds:,.0f} students/s; "
                f"{counts}; rows now {rows}"
            )
            seconds, counts = timed_import(folder, admin)
            print(
                f"Second import of the same set: {seconds:.1f} s "
                f"= {args.students / seconds:,.0f} students/s; {counts}"
            )
            started = time.perf_counter()
            data = export_oneroster(list(db.session.scalars(select(Site))), "1.2", admin)
            seconds = time.perf_counter() - started
            print(
                f"Export (OneRoster 1.2 with Gradebook files, every site): {seconds:.1f} s "
                f"= {args.students / seconds:,.0f} students/s; ZIP {len(data) / 1e6:.1f} MB"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
