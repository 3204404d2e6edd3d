"""Benchmark the OneRoster import at national scale (213,569 students by default).

Usage: DATABASE_URL=sqlite:///instance/roster-bench.db python bench/roster_bench.py [--students N]
Writes a OneRoster 1.2 CSV set (orgs, users, classes, enrollments, roles, demographics) for N students
in 400 schools across 16 states, migrates an empty database, imports the course packages and an
admin, then times `import_roster` of the set zipped, exactly as the roster job runs it (checking
every row, then writing sites, students, enrollments and unit progress in one transaction), and
times a second import of the same set (every student matched, nothing new), then times a OneRoster
1.2 export (roster and Gradebook files) of every site. Prints students/s, wall and CPU seconds
(and the PostgreSQL backend's), the peak RSS (ru_maxrss) and the load average.
"""

import argparse
import csv
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app import create_app  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Enrollment, Role, Student, UnitProgress, User  # noqa: E402
from app.rosters.export import export_oneroster  # noqa: E402
from app.rosters.files import read_zip  # noqa: E402
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
    """Each file is written row by row (generators), so the bench's own memory stays small and
    the peak RSS it prints is the import's."""

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
    # One random stream per file, so the files can be written one after another.
    names = random.Random(rng.random())
    grades = random.Random(rng.random())
    dates = random.Random(rng.random())
    table(
        "users.csv",
        user_header,
        (
            [
                f"u-{n}",
                "",
                "",
                "true",
                f"u{n}",
                f"{{MSIX:{n + 100_000_000_000:012d}}}",
                names.choice(GIVEN),
                names.choice(FAMILY),
                "",
                f"S{n:09d}",
                "",
                "",
                "",
                "",
                f"{grades.randint(9, 12):02d}",
                "",
                "",
                "",
                "",
                "",
                "",
                f"sch-{n % schools}",
                "",
            ]
            for n in range(students)
        ),
    )
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
        (
            [f"r-{n}", "", "", f"u-{n}", "primary", "student", "", "", f"sch-{n % schools}", ""]
            for n in range(students)
        ),
    )
    table(
        "demographics.csv",
        ["sourcedId", "status", "dateLastModified", "birthDate"],
        (
            [
                f"u-{n}",
                "",
                "",
                f"{dates.randint(2006, 2011)}-{dates.randint(1, 12):02d}-"
                f"{dates.randint(1, 28):02d}",
            ]
            for n in range(students)
        ),
    )
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
        (
            [
                f"e-{n}",
                "",
                "",
                f"cls-{n % schools}-{COURSES[n % 3]}",
                f"sch-{n % schools}",
                f"u-{n}",
                "student",
                "false",
                "",
                "",
            ]
            for n in range(students)
        ),
    )


def zip_roster(folder: Path) -> bytes:
    """The set as a ZIP (deflated, in a folder as SIS exports often are), as the page takes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"oneroster/{path.name}")
    return buffer.getvalue()


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


def peak_rss_mb() -> float:
    """The process's peak resident set so far (ru_maxrss, kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_cpu() -> float | None:
    """CPU seconds of this session's PostgreSQL backend (the server is on this machine), or
    None on SQLite, whose work is in this process's own CPU time."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return None
    pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_import(data: bytes, admin: User, label: str, students: int) -> dict:
    """Import the ZIP as the roster job does (read_zip of the upload, import_roster, commit)."""
    server_before = database_cpu()
    wall, cpu = time.perf_counter(), time.process_time()
    record = import_roster(read_zip(data), admin, "bench.zip", data)
    db.session.commit()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    server_after = database_cpu()
    server = (
        f", PostgreSQL backend {server_after - server_before:.1f} CPU s"
        if server_before is not None and server_after is not None
        else ""
    )
    print(
        f"{label}: {students / wall:,.0f} students/s; wall {wall:.1f} s, CPU {cpu:.1f} s"
        f"{server}; peak RSS {peak_rss_mb():,.0f} MB; load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    return record.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=213_569)
    parser.add_argument("--schools", type=int, default=400)
    parser.add_argument("--no-export", action="store_true", help="time the imports only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    app = create_app()
    try:
        started = time.perf_counter()
        write_roster(folder, args.students, args.schools, random.Random(2026))
        size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        data = zip_roster(folder)
        print(
            f"OneRoster set: {args.students:,} students, {args.schools} schools, "
            f"{size:.1f} MB of CSV in a {len(data) / 1e6:.1f} MB ZIP, written in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with app.app_context():
            print(f"Database: {db.engine.url.render_as_string(hide_password=True)}")
            admin = prepare_database()
            print(f"Peak RSS before the import: {peak_rss_mb():,.0f} MB")
            counts = timed_import(data, admin, "First import", args.students)
            rows = {
                m.__name__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Student, Enrollment, UnitProgress)
            }
            print(f"  {counts}; rows now {rows}")
            counts = timed_import(data, admin, "Second import of the same set", args.students)
            print(f"  {counts}")
            if args.no_export:
                return
            started = time.perf_counter()
            data = export_oneroster(list(db.session.scalars(select(Site))), "1.2", admin)
            seconds = time.perf_counter() - started
            print(
                f"Export (OneRoster 1.2 with Gradebook files, every site): {seconds:.1f} s "
                f"= {args.students / seconds:,.0f} students/s; ZIP {len(data) / 1e6:.1f} MB; "
                f"peak RSS {peak_rss_mb():,.0f} MB"
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
