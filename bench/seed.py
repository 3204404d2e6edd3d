"""Seed a database at national scale with a realistic history, for benchmarks (bulk, explicit ids).

Usage: DATABASE_URL=sqlite:///instance/bench.db python bench/seed.py [--students 213569]
Creates the schema with the real migrations, imports the course packages, then adds sites,
staff, students with their enrollments and unit progress, and the history a season leaves:
graded unit tests and retakes (~900,000 attempts at national scale), practice scores, returned
tests, regrades, a grading backlog, moves between sites, guardians, full and partial credit
awards (superseded ones too) and their certificates, with the audit trail of all of it.

A few certificates are issued through the real service (PDF, signed credential, VC-JWT); the
rest copy their shape (facts made by the real `certificate_facts`, the credential's text with
its own code and serial: their signatures do not verify, which no measured page checks).
PostgreSQL is loaded with COPY, SQLite with executemany; rows are written every few thousand
students, so memory stays flat. `--if-seeded` keeps a database already seeded with the same
number of students (the marker table says so) and only prints it.
"""

import argparse
import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.instance import use_bench_instance  # noqa: E402

use_bench_instance()  # before config.py is read

from alembic.config import Config as AlembicConfig  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, inspect, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from app.certificates.facts import certificate_facts  # noqa: E402
from app.certificates.models import StatusList  # noqa: E402
from app.certificates.services import CODE_ALPHABET, CODE_LENGTH, issue_certificates  # noqa: E402
from app.certificates.status import PURPOSE  # noqa: E402
from app.certificates.status_list import refresh_status_list  # noqa: E402
from app.common import utcnow  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.credits.rules import course_result, rules_for, unit_passed  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Certificate, CourseVersion, CreditAward, User  # noqa: E402
from app.reports.facts import refresh_report_facts  # noqa: E402
from app.search import name_key  # noqa: E402
from bench.guard import MARKER_TABLE, ensure_bench_database, mark_bench_database  # noqa: E402
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
GIVEN = ["Ana", "Luis", "María", "José", "Daniela", "Camila", "Santiago", "Miguel", "Sofía", "Juan"]
PASSWORD = "bench-pass-1"
SEED_VERSION = 2  # bump when the history changes: --if-seeded then seeds again
FLUSH_EVERY = 5_000  # students generated between writes
REAL_CERTIFICATES = 3  # issued through the service; the rest copy their shape
# What a season leaves behind (shares of units, enrollments or students).
PASS_SHARE = 0.88  # a finished unit is passed (else failed after its tries)
RETAKE_SHARE = 0.35  # a unit test is taken a second time
PRACTICE_SHARE = 0.35  # a finished unit has a scored practice attempt
PAPER_SHARE = 0.1  # a unit test was done on a paper packet
RETURNED_BEFORE_SHARE = 0.03  # a graded test had been returned for revision first
REGRADE_SHARE = 0.02  # a graded online test was regraded
RETURNED_SHARE = 0.01  # an enrollment's next unit test is returned, waiting for the student
MOVED_SHARE = 0.03  # a student moved here from another site this season
MOVING_SHARE = 0.005  # a student is announced as moving away
PARTIAL_SHARE = 0.04  # an unfinished enrollment got partial credit (end of a season)
CERTIFIED_SHARE = 0.9  # a current award has its certificate
GUARDIAN_SHARE = 0.01  # a student has a guardian's account linked


DEFAULT_BACKLOG = 0.03


def marker(students: int, sites: int, backlog: float = DEFAULT_BACKLOG) -> str:
    """What the marker table says of a database this seed filled: this seed's version, the
    migrations' head, the number of students and sites, and the backlog when not the default
    (a database seeded otherwise is seeded again)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(BASE_DIR / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    made = f"{Path(__file__).name} v{SEED_VERSION} {head} students={students} sites={sites}"
    return made if backlog == DEFAULT_BACKLOG else f"{made} backlog={backlog}"


def seeded_alike(students: int, sites: int, backlog: float = DEFAULT_BACKLOG) -> bool:
    if MARKER_TABLE not in inspect(db.engine).get_table_names():
        return False
    seeded = db.session.execute(text(f"SELECT seeded_by FROM {MARKER_TABLE}")).scalar()
    return seeded == marker(students, sites, backlog)


class Writer:
    """Buffers rows per table and writes them in foreign-key order (COPY on PostgreSQL)."""

    ORDER = [
        "site",
        "user_account",
        "student",
        "guardian_link",
        "enrollment",
        "unit_progress",
        "attempt",
        "student_move",
        "credit_award",
        "audit_event",
    ]

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in self.ORDER}
        # Ids go on from what is there (importing the courses wrote audit events).
        self.counts = {
            name: db.session.scalar(text(f"SELECT COALESCE(MAX(id), 0) FROM {name}"))
            for name in self.ORDER
        }
        self.first = dict(self.counts)
        self.postgres = db.engine.dialect.name == "postgresql"

    def next_id(self, table: str) -> int:
        self.counts[table] += 1
        return self.counts[table]

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        connection = db.session.connection()
        for table in self.ORDER:
            rows = self.rows[table]
            if not rows:
                continue
            if self.postgres:
                self._copy(connection, table, rows)
            else:
                connection.execute(db.metadata.tables[table].insert(), rows)
            self.rows[table] = []

    @staticmethod
    def _copy(connection, table: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(
                        [
                            json.dumps(v) if isinstance(v, dict | list) else v
                            for v in (row[c] for c in columns)
                        ]
                    )


class History:
    """Generates one student at a time: enrollment, units, attempts, awards and their audit."""

    def __init__(self, writer: Writer, rng: random.Random, versions, sites: int, now) -> None:
        self.w, self.rng, self.now, self.sites = writer, rng, now, sites
        self.versions = versions
        self.units = {cv.id: [(u.id, u.number) for u in cv.units] for cv in versions}
        self.version_ns = {
            cv.id: SimpleNamespace(
                course=SimpleNamespace(code=cv.course.code),
                version=cv.version,
                title_en=cv.title_en,
                title_es=cv.title_es,
                subject=cv.subject,
                hours=cv.hours,
                unit_count=cv.unit_count,
                credit=cv.credit,
            )
            for cv in versions
        }
        self.site_ns = {
            i: SimpleNamespace(
                id=i,
                code=f"B{i:04d}",
                name=f"Bench site {i}",
                city=f"Bench city {i}",
                state_code=STATES[i % len(STATES)],
            )
            for i in range(1, sites + 1)
        }
        self.coordinators: dict[str, int] = {}
        self.certificates: list[dict] = []  # planned copies: written once real ones exist
        self.real_awards: list[int] = []  # site 1's first awards: certified through the service
        self.counts = dict.fromkeys(
            ["graded", "returned", "regraded", "awaiting", "practice", "moves", "guardians"], 0
        )

    def teacher(self, site_id: int) -> int:
        return 2 * site_id - self.rng.randint(0, 1)

    def audit(self, at, actor, action, object_type, object_id, student_id, reason=None, **data):
        self.w.add(
            "audit_event",
            {
                "id": self.w.next_id("audit_event"),
                "at": at,
                "actor_id": actor,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "student_id": student_id,
                "reason": reason,
                "data": data,
            },
        )

    def attempt(self, progress_id, section, number, status, site_id, started, **extra) -> int:
        row = {
            "id": self.w.next_id("attempt"),
            "unit_progress_id": progress_id,
            "section": section,
            "number": number,
            "mode": "online",
            "status": status,
            "started_at": started,
            "submitted_at": None,
            "graded_at": None,
            "graded_by_id": None,
            "site_id": site_id,
            "auto_points": 0.0,
            "manual_points": 0.0,
            "max_points": 20.0,
            "percent": None,
            "feedback": None,
            "version": 1,
        }
        row.update(extra)
        self.w.add("attempt", row)
        return row["id"]

    def graded_test(self, progress_id, number, percent, site_id, sid, at) -> None:
        """A unit test handed in and graded (online, or scores from a paper packet)."""
        rng = self.rng
        paper = rng.random() < PAPER_SHARE
        teacher = self.teacher(site_id)
        graded_at = at + timedelta(hours=rng.randint(2, 96))
        points = round(percent / 5, 1)
        auto = min(points, 12.0)
        version = 2
        aid = self.w.counts["attempt"] + 1
        if not paper and rng.random() < RETURNED_BEFORE_SHARE:
            version += 2
            self.counts["returned"] += 1
            self.audit(
                at + timedelta(hours=1),
                teacher,
                "attempt.returned",
                "attempt",
                aid,
                sid,
                reason="Explain your answer to question 6 with an example.",
            )
        regraded = not paper and rng.random() < REGRADE_SHARE
        final = percent
        if regraded:
            version += 1
            percent = round(max(0.0, percent - rng.choice([5.0, 10.0])), 1)
        self.attempt(
            progress_id,
            "test",
            number,
            "graded",
            site_id,
            at - timedelta(minutes=rng.randint(20, 90)),
            mode="paper" if paper else "online",
            submitted_at=at,
            graded_at=graded_at + (timedelta(days=2) if regraded else timedelta()),
            graded_by_id=teacher,
            auto_points=auto,
            manual_points=round(points - auto, 1),
            percent=final,
            feedback=None if rng.random() < 0.7 else "Good work on the open questions.",
            version=version,
        )
        self.counts["graded"] += 1
        if paper:
            self.audit(
                graded_at, teacher, "paper_scores.recorded", "attempt", aid, sid, percent=final
            )
            return
        self.audit(
            graded_at, teacher, "attempt.graded", "attempt", aid, sid, final=True, percent=percent
        )
        if regraded:
            self.counts["regraded"] += 1
            self.audit(
                graded_at + timedelta(days=2),
                teacher,
                "attempt.regraded",
                "attempt",
                aid,
                sid,
                reason="Question 7 was scored against the wrong key.",
                percent_before=percent,
                percent_after=final,
            )

    def student(self, sid: int) -> None:
        rng, now, w = self.rng, self.now, self.w
        site_id = 1 if sid == 1 else rng.randint(1, self.sites)
        moved_from = None
        if sid != 1 and rng.random() < MOVED_SHARE:
            moved_from = rng.randint(1, self.sites)
            if moved_from == site_id:
                moved_from = None
        given = f"Given{sid}"
        family = f"Family{sid % 5000}"
        w.add(
            "student",
            {
                "id": sid,
                "user_id": self.student_user if sid == 1 else None,
                "site_id": site_id,
                "given_name": given,
                "family_name": family,
                "second_family_name": None,
                "search_name": name_key(given, family, None),
                "sex": "FM"[sid % 2],
                "birth_date": date(2008 + sid % 5, 1 + sid % 12, 1 + sid % 28),
                "kind": "osy" if sid % 11 == 0 else "secondary",
                "grade_level": None if sid % 11 == 0 else 9 + sid % 4,
                "msix_id": f"{100000000000 + sid}",
                "state_student_id": None,
                "curp": None,
                "roster_id": None,
                "duplicate_of_id": None,
                "created_at": now - timedelta(days=200),
            },
        )
        season = now - timedelta(days=rng.randint(60, 180))
        moved_on = season + timedelta(days=rng.randint(10, 40)) if moved_from else None
        if moved_from:
            self.counts["moves"] += 1
            mid = w.next_id("student_move")
            reporter = self.teacher(moved_from)
            w.add(
                "student_move",
                self._move(mid, sid, moved_from, site_id, moved_on, "arrived", reporter),
            )
            self.audit(moved_on, reporter, "move.reported", "student_move", mid, sid)
        elif sid != 1 and rng.random() < MOVING_SHARE:
            self.counts["moves"] += 1
            mid = w.next_id("student_move")
            to = rng.randint(1, self.sites)
            w.add(
                "student_move",
                self._move(
                    mid,
                    sid,
                    site_id,
                    to,
                    now.date() + timedelta(days=rng.randint(1, 20)),
                    "moving",
                    self.teacher(site_id),
                ),
            )
        if sid != 1 and rng.random() < GUARDIAN_SHARE:
            self.counts["guardians"] += 1
            gid = w.next_id("user_account")
            w.add("user_account", self.user(gid, f"guardian.{sid}@bench.puente", "guardian", None))
            w.add(
                "guardian_link",
                {
                    "id": w.next_id("guardian_link"),
                    "guardian_id": gid,
                    "student_id": sid,
                    "relation": "mother",
                    "created_by_id": self.teacher(site_id),
                    "created_at": season,
                },
            )
        chosen = self.versions if sid == 1 else [rng.choice(self.versions)]
        for index, cv in enumerate(chosen):
            self.enrollment(
                sid, cv, site_id, moved_from, season, moved_on, full=sid == 1 and index == 0
            )

    def _move(self, mid, sid, from_site, to_site, day, status, reporter) -> dict:
        on = day if isinstance(day, date) and not isinstance(day, datetime) else day.date()
        arrived = status == "arrived"
        return {
            "id": mid,
            "student_id": sid,
            "from_site_id": from_site,
            "destination_code": self.site_ns[to_site].state_code,
            "destination_site_id": to_site,
            "move_date": on,
            "note": None,
            "status": status,
            "reported_by_id": reporter,
            "reported_at": datetime.combine(on, datetime.min.time()) - timedelta(days=3),
            "sent_to": None,
            "sent_at": None,
            "closed_by_id": self.teacher(to_site) if arrived else None,
            "closed_at": datetime.combine(on, datetime.min.time()) if arrived else None,
        }

    def user(self, uid, email, role, site_id, state_code=None) -> dict:
        return {
            "id": uid,
            "email": email,
            "username": None,
            "password_hash": self.password_hash,
            "role": role,
            "given_name": "Bench",
            "family_name": email.split("@")[0],
            "locale": None,
            "site_id": site_id,
            "state_code": state_code,
            "is_active": True,
            "roster_id": None,
            "session_version": 1,
            "unread_notifications": 0,
            "created_at": self.now - timedelta(days=365),
        }

    def enrollment(self, sid, cv, site_id, moved_from, season, moved_on, full=False) -> None:
        rng, w = self.rng, self.w
        units = self.units[cv.id]
        n = len(units)
        eid = w.next_id("enrollment")
        done = n if full else rng.randint(0, n)
        before_move = rng.randint(0, done) if moved_from else 0
        state = self.site_ns[site_id].state_code
        rules = rules_for(state)
        day = season
        scores: list[tuple[float | None, None]] = []
        unit_rows = []
        next_open = None  # what the first unfinished unit is doing
        if done < n:
            roll = rng.random()
            if roll < self.backlog:
                next_open = "awaiting_grading"
            elif roll < self.backlog + RETURNED_SHARE:
                next_open = "returned"
            elif roll < 0.6:
                next_open = "in_progress"
        for unit_id, number in units:
            pid = w.next_id("unit_progress")
            where = moved_from if number <= before_move else site_id
            row = {
                "id": pid,
                "enrollment_id": eid,
                "unit_id": unit_id,
                "unit_number": number,
                "status": "not_started",
                "lessons_read": 0,
                "work_percent": None,
                "best_test_percent": None,
                "test_attempts": 0,
                "test_approved_at": None,
                "test_approved_by_id": None,
                "completed_at": None,
                "completed_site_id": None,
                "updated_at": day,
            }
            if number <= done:
                day = day + timedelta(days=rng.randint(3, 12))
                passed = full or rng.random() < PASS_SHARE
                tries = 1 + (rng.random() < RETAKE_SHARE)
                tries = min(tries, rules.test_attempts)
                percents = []
                for attempt_number in range(1, tries + 1):
                    last = attempt_number == tries
                    if passed and last:
                        percent = round(rng.uniform(rules.unit_pass_percent, 99), 1)
                    else:
                        percent = round(rng.uniform(25, rules.unit_pass_percent - 1), 1)
                    percents.append(percent)
                    at = day - timedelta(days=2 * (tries - attempt_number))
                    self.graded_test(pid, attempt_number, percent, where, sid, at)
                best = max(percents)
                if rng.random() < PRACTICE_SHARE:
                    work = round(rng.uniform(50, 100), 1)
                    self.counts["practice"] += 1
                    self.attempt(
                        pid,
                        "practice",
                        1,
                        "graded",
                        where,
                        day - timedelta(days=4),
                        submitted_at=day - timedelta(days=3),
                        graded_at=day - timedelta(days=3),
                        auto_points=round(work / 5, 1),
                        percent=work,
                    )
                    row["work_percent"] = work
                ok = unit_passed(best, rules)
                row.update(
                    status="passed" if ok else "failed",
                    lessons_read=3,
                    best_test_percent=best,
                    test_attempts=tries,
                    completed_at=day if ok else None,
                    completed_site_id=where if ok else None,
                    updated_at=day,
                )
                scores.append((best, None))
            else:
                scores.append((None, None))
                if number == done + 1 and next_open:
                    row.update(
                        status=next_open, lessons_read=rng.randint(1, 3), updated_at=self.now
                    )
                    if next_open == "awaiting_grading":
                        self.counts["awaiting"] += 1
                        handed = self.now - timedelta(minutes=rng.randint(1, 20000))
                        self.attempt(
                            pid,
                            "test",
                            1,
                            "submitted",
                            site_id,
                            handed - timedelta(minutes=40),
                            submitted_at=handed,
                            auto_points=3.0,
                            max_points=8.0,
                            version=2,
                        )
                        row["test_attempts"] = 1
                    elif next_open == "returned":
                        self.counts["returned"] += 1
                        handed = self.now - timedelta(days=rng.randint(1, 10))
                        aid = self.attempt(
                            pid,
                            "test",
                            1,
                            "returned",
                            site_id,
                            handed - timedelta(minutes=40),
                            submitted_at=handed,
                            auto_points=3.0,
                            max_points=8.0,
                            version=3,
                            feedback="Revise questions 6 and 7: show how you got the answer.",
                        )
                        self.audit(
                            handed + timedelta(hours=5),
                            self.teacher(site_id),
                            "attempt.returned",
                            "attempt",
                            aid,
                            sid,
                            reason="Revise questions 6 and 7.",
                        )
                        row["test_attempts"] = 1
            unit_rows.append(row)
        for row in unit_rows:
            w.add("unit_progress", row)
        result = course_result(scores, cv.credit, rules)
        completed = result.is_complete and result.is_passed
        w.add(
            "enrollment",
            {
                "id": eid,
                "student_id": sid,
                "course_version_id": cv.id,
                "assigned_by_id": self.teacher(moved_from or site_id),
                "assigned_at": season - timedelta(days=2),
                "target_date": None,
                "status": "completed" if completed else "active",
                "started_at": season if done or next_open else None,
                "completed_at": day if completed else None,
                "roster_id": None,
            },
        )
        enrollment_ns = SimpleNamespace(
            student=SimpleNamespace(
                given_name=f"Given{sid}",
                family_name=f"Family{sid % 5000}",
                birth_date=date(2008 + sid % 5, 1 + sid % 12, 1 + sid % 28),
                msix_id=f"{100000000000 + sid}",
                curp=None,
            ),
            course_version=self.version_ns[cv.id],
            started_at=season,
            assigned_at=season - timedelta(days=2),
            units=[
                SimpleNamespace(
                    unit_number=r["unit_number"],
                    status=SimpleNamespace(value=r["status"]),
                    completed_site=self.site_ns[r["completed_site_id"]]
                    if r["completed_site_id"]
                    else None,
                )
                for r in unit_rows
            ],
        )
        earlier = None
        newer = completed or (result.units_passed and rng.random() < PARTIAL_SHARE)
        if moved_from and before_move > 0 and any(s for s, _ in scores[:before_move]):
            partial = course_result(
                scores[:before_move] + [(None, None)] * (n - before_move),
                cv.credit,
                rules_for(self.site_ns[moved_from].state_code),
            )
            if partial.units_passed:
                at = moved_on - timedelta(days=1)
                earlier = self.award(
                    eid,
                    sid,
                    partial,
                    moved_from,
                    at,
                    enrollment_ns,
                    superseded=bool(newer),
                )
        if newer:
            self.award(
                eid,
                sid,
                result,
                site_id,
                day + timedelta(days=1),
                enrollment_ns,
                replaces=earlier,
                real=full,
            )

    def award(
        self,
        eid,
        sid,
        result,
        site_id,
        at,
        enrollment_ns,
        superseded=False,
        replaces=None,
        real=False,
    ) -> dict:
        site = self.site_ns[site_id]
        rules = rules_for(site.state_code)
        coordinator = self.coordinators[site.state_code]
        award_id = self.w.next_id("credit_award")
        row = {
            "id": award_id,
            "enrollment_id": eid,
            "units_passed": result.units_passed,
            "unit_count": result.unit_count,
            "grade_percent": result.grade_percent,
            "letter": result.letter,
            "sep_grade": result.sep_grade,
            "credit": result.credit,
            "credit_system": rules.credit_system,
            "is_partial": result.is_partial,
            "state_code": site.state_code,
            "site_id": site_id,
            "awarded_by_id": coordinator,
            "awarded_at": at,
            "superseded_at": at + timedelta(days=30) if superseded else None,
            "imported_from": None,
            "awarded_by_name": None,
        }
        self.w.add("credit_award", row)
        self.audit(
            at,
            coordinator,
            "credit.awarded",
            "credit_award",
            award_id,
            sid,
            credit=float(result.credit),
            partial=result.is_partial,
            units_passed=result.units_passed,
            unit_count=result.unit_count,
        )
        plan = {"award": row, "superseded": superseded, "student_id": sid}
        if (real or (site_id == 1 and not superseded and replaces is None)) and len(
            self.real_awards
        ) < REAL_CERTIFICATES:
            self.real_awards.append(award_id)
            return plan
        if replaces is not None and replaces.get("certificate") is None:
            replaces = None
        if self.rng.random() < CERTIFIED_SHARE or replaces is not None:
            award_ns = SimpleNamespace(
                enrollment=enrollment_ns,
                site=site,
                awarded_at=at,
                **{
                    k: row[k]
                    for k in (
                        "units_passed",
                        "unit_count",
                        "grade_percent",
                        "letter",
                        "sep_grade",
                        "credit",
                        "credit_system",
                        "is_partial",
                    )
                },
            )
            plan["certificate"] = {
                "facts": certificate_facts(award_ns, f"Bench Coordinator {site.state_code}"),
                "issued_at": at + timedelta(hours=2),
                "issued_by_id": coordinator,
                "replaces": replaces,
            }
            self.certificates.append(plan)
        return plan


def seed(students: int, sites: int, backlog: float, rng: random.Random) -> dict:
    ensure_bench_database()
    db.drop_all()
    db.session.commit()
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    upgrade(directory=str(BASE_DIR / "migrations"))
    mark_bench_database(Path(__file__).name)  # wipeable even if this run fails half-way
    for package in sorted(Path(current_app.config["COURSES_DIR"]).glob("*/course.toml")):
        import_package(package.parent)
    db.session.commit()
    versions = db.session.scalars(select(CourseVersion).order_by(CourseVersion.id)).all()
    now = utcnow().replace(microsecond=0)
    writer = Writer()
    history = History(writer, rng, versions, sites, now)
    history.backlog = backlog
    history.password_hash = generate_password_hash(PASSWORD)

    for site_id in range(1, sites + 1):
        site = history.site_ns[site_id]
        writer.add(
            "site",
            {
                "id": site_id,
                "code": site.code,
                "name": site.name,
                "state_code": site.state_code,
                "city": site.city,
                "is_external": False,
                "roster_id": None,
                "created_at": now - timedelta(days=900),
            },
        )
    for site_id in range(1, sites + 1):
        for n in (1, 2):
            uid = writer.next_id("user_account")
            writer.add(
                "user_account",
                history.user(uid, f"teacher{n}.s{site_id}@bench.puente", "teacher", site_id),
            )
    for state in STATES:
        uid = writer.next_id("user_account")
        email = f"coordinator.{state.split('-')[1].lower()}@bench.puente"
        writer.add("user_account", history.user(uid, email, "coordinator", None, state))
        history.coordinators[state] = uid
    uid = writer.next_id("user_account")
    writer.add("user_account", history.user(uid, "admin@bench.puente", "admin", None))
    history.student_user = writer.next_id("user_account")
    writer.add(
        "user_account", history.user(history.student_user, "student@bench.puente", "student", 1)
    )
    for sid in range(1, students + 1):
        history.student(sid)
        if sid % FLUSH_EVERY == 0:
            writer.flush()
    writer.flush()
    db.session.commit()
    reset_sequences()

    # Real certificates first (the bench's /verify code is one of these), then their copies.
    awards = db.session.scalars(
        select(CreditAward).where(CreditAward.id.in_(history.real_awards)).order_by(CreditAward.id)
    ).all()
    issued = issue_certificates(list(awards), db.session.get(User, history.coordinators["US-CA"]))
    db.session.commit()
    template = issued[0]
    copies = copy_certificates(history.certificates, template, rng)
    db.session.commit()
    reset_sequences()
    started = time.perf_counter()
    refresh = refresh_report_facts()  # the job worker's periodic task
    db.session.commit()
    facts_seconds = time.perf_counter() - started
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    mark_bench_database(marker(students, sites, backlog))
    made = {"sites": sites, "students": students}
    for table in (
        "enrollment",
        "unit_progress",
        "attempt",
        "credit_award",
        "audit_event",
        "student_move",
        "guardian_link",
    ):
        made[table] = writer.counts[table] - writer.first[table]
    made.update(
        {f"attempts_{k}": v for k, v in history.counts.items() if k not in ("moves", "guardians")}
    )
    made["certificates"] = len(issued) + copies
    made["report_facts"] = refresh.rows
    made["report_facts_seconds"] = round(facts_seconds, 1)
    made["verify_code"] = template.code
    return made


def copy_certificates(plans: list[dict], template: Certificate, rng: random.Random) -> int:
    """Write the planned certificates in the shape the service gave `template`."""
    credential_text = json.dumps(template.credential)
    first_id = db.session.scalar(select(func.max(Certificate.id))) + 1
    status = db.session.scalar(select(StatusList).where(StatusList.purpose == PURPOSE))
    next_index = (status.next_index if status else 0) or 0
    rows = []
    by_award = {}
    for offset, plan in enumerate(plans):
        cid = first_id + offset
        cert = plan["certificate"]
        award = plan["award"]
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        serial = f"PNT-{cert['issued_at'].year}-{cid:07d}"
        issued = cert["issued_at"].isoformat() + "Z"
        credential = json.loads(
            credential_text.replace(template.code, code).replace(template.serial, serial)
        )
        row = {
            "id": cid,
            "serial": serial,
            "code": code,
            "credit_award_id": award["id"],
            "enrollment_id": award["enrollment_id"],
            "student_id": plan["student_id"],
            "site_id": award["site_id"],
            "state_code": award["state_code"],
            "issued_by_id": cert["issued_by_id"],
            "issued_at": cert["issued_at"],
            "revoked_at": None,
            "revoked_by_id": None,
            "revoke_reason": None,
            "replaced_by_id": None,
            "status_index": next_index + offset,
            "facts": {**cert["facts"], "serial": serial, "issued_at": issued},
            "credential": credential,
            "credential_jwt": template.credential_jwt,
            "print_id": template.print_id,
            "page_number": template.page_number,
        }
        rows.append(row)
        by_award[award["id"]] = row
        plan["certificate"]["row"] = row
    for plan in plans:
        earlier = plan["certificate"]["replaces"]
        if earlier is not None:
            old = earlier["certificate"]["row"]
            new = plan["certificate"]["row"]
            old.update(
                revoked_at=new["issued_at"],
                revoked_by_id=new["issued_by_id"],
                revoke_reason=f"Replaced by {new['serial']} (credit corrected) · "
                f"Reemplazado por {new['serial']} (crédito corregido)",
                replaced_by_id=new["id"],
            )
    writer = Writer()
    writer.ORDER = ["certificate"]
    writer.rows = {"certificate": []}
    # Replacements point forward: write without the links, then set them.
    for part in range(0, len(rows), 5_000):
        writer.rows["certificate"] = [
            {**r, "replaced_by_id": None} for r in rows[part : part + 5_000]
        ]
        writer.flush()
    links = [{"i": r["id"], "r": r["replaced_by_id"]} for r in rows if r["replaced_by_id"]]
    if links:
        db.session.execute(text("UPDATE certificate SET replaced_by_id = :r WHERE id = :i"), links)
    if status is not None:
        status.next_index = next_index + len(rows)
    db.session.flush()
    refresh_status_list()  # signed again with the copies' revoked bits
    return len(rows)


def reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the explicit ids the bulk load wrote."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=213_569)
    parser.add_argument("--sites", type=int, default=400)
    parser.add_argument(
        "--backlog", type=float, default=DEFAULT_BACKLOG, help="share with a test to grade"
    )
    parser.add_argument("--if-seeded", action="store_true", help="keep a database seeded alike")
    args = parser.parse_args()
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
        if args.if_seeded and seeded_alike(args.students, args.sites, args.backlog):
            print(f"already seeded with {args.students:,} students: kept")
            return
        made = seed(args.students, args.sites, args.backlog, random.Random(20261124))
    print(", ".join(f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in made.items()))
    print(f"seeded in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
