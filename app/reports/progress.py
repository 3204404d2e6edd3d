"""The progress report's figures, each one grouped query over the filtered population.

Rules (DOMAIN.md; statuses as app/learning/scoring.py derives them):
- stage of an enrollment (a student in a course): the rule in app/reports/facts.py, read from
  the report facts the job worker rebuilds every few minutes (`flask reports refresh` now). A
  student in two courses counts twice.
- units passed: units whose status is passed, by the day they were completed
  (`UnitProgress.completed_at`), counted per ISO week (from Monday) or calendar month, over the
  chosen term or else the last 12 weeks / 12 months.
- courses completed: enrollments completed (every unit final), by the term of `completed_at`.
- credit awarded: the current award of each enrollment (the newest supersedes earlier ones),
  awarded here (not carried from another installation), by the term of `awarded_at`, full and
  partial apart, summed in each credit system (Carnegie units; California credits).
Every figure is read from the report facts (as of their last rebuild), by site: a state's
report reads that state's rows only. As the facts change only when they are rebuilt, each
worker keeps the figures it worked out for a population until then (one day at most): a
state's report is counted once per rebuild, not on every view.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from threading import Lock

from cachetools import TTLCache
from flask import current_app
from sqlalchemy import extract, func, select

from app.common import utcnow
from app.enrollments.models import Enrollment
from app.extensions import db
from app.reports.facts import last_refresh
from app.reports.filters import (
    ReportFilter,
    dated,
    enrollment_where,
    facts_where,
    report_site_ids,
    student_where,
)
from app.reports.models import ReportEnrollment as Fact
from app.reports.models import ReportUnitPass as Passed
from app.reports.terms import term_for, term_for_month
from app.students.models import Student
from app.users.models import User

STAGES = ("not_started", "in_progress", "awaiting_grading", "returned", "completed", "withdrawn")
ACTIVE_STAGE_BY_RANK = {0: "not_started", 1: "in_progress", 2: "awaiting_grading", 3: "returned"}
PERIOD_COUNT = 12
KEPT_REPORTS = 256  # populations a worker keeps the figures of
KEPT_SECONDS = 24 * 3600
_lock = Lock()


@dataclass
class TermCredit:
    term: object
    completed: int = 0
    full_awards: int = 0
    partial_awards: int = 0
    full_credit: dict | None = None  # credit system -> total
    partial_credit: dict | None = None


def population(user: User, f: ReportFilter):
    """Enrollments of the filtered students (a select of Enrollment joined to Student)."""
    return (
        select()
        .select_from(Enrollment)
        .join(Student, Student.id == Enrollment.student_id)
        .where(student_where(user, f), enrollment_where(f))
    )


def count_stages(user: User, f: ReportFilter) -> dict[str, int]:
    """Enrollments by stage, from the report facts (the stage rule is in app/reports/facts.py)."""
    counts = dict.fromkeys(STAGES, 0)
    for stage, count in db.session.execute(
        select(Fact.stage, func.count()).where(facts_where(user, f)).group_by(Fact.stage)
    ):
        counts[stage] += count
    return counts


def period_starts(f: ReportFilter, today: date) -> list[date]:
    """The first day of each week or month shown, oldest first."""
    if f.term is not None:
        first, last = f.term.start.date(), f.term.end.date() - timedelta(days=1)
    elif f.period == "week":
        last = today
        first = today - timedelta(weeks=PERIOD_COUNT - 1)
    else:
        last = today
        months = today.year * 12 + today.month - 1 - (PERIOD_COUNT - 1)
        first = date(months // 12, months % 12 + 1, 1)
    starts, day = [], _period_start(first, f.period)
    while day <= last:
        starts.append(day)
        day = day + timedelta(weeks=1) if f.period == "week" else _next_month(day)
    return starts


def _period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def units_passed_by_period(user: User, f: ReportFilter) -> list[tuple[date, int]]:
    starts = period_starts(f, utcnow().date())
    day = func.date(Passed.passed_at)
    stmt = (
        select(day, func.count())
        .where(
            facts_where(user, f, Passed),
            Passed.passed_at >= _midnight(starts[0]),
            Passed.passed_at < _midnight(_end_of(starts[-1], f.period)),
        )
        .group_by(day)
    )
    totals = dict.fromkeys(starts, 0)
    for value, count in db.session.execute(stmt):
        totals[_period_start(_as_date(value), f.period)] += count
    return list(totals.items())


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _end_of(start: date, period: str) -> date:
    return start + timedelta(weeks=1) if period == "week" else _next_month(start)


def credit_by_term(user: User, f: ReportFilter) -> list[TermCredit]:
    """Courses completed and credit awarded per term, newest term first."""
    terms: dict = {}

    def term_row(term):
        return terms.setdefault(term, TermCredit(term, full_credit={}, partial_credit={}))

    year, month = extract("year", Fact.completed_at), extract("month", Fact.completed_at)
    completed = (
        select(year, month, func.count())
        .where(facts_where(user, f), Fact.stage == "completed", dated(Fact.completed_at, f))
        .group_by(year, month)
    )
    for y, m, count in db.session.execute(completed):
        term_row(term_for_month(int(y), int(m))).completed += count
    year, month = extract("year", Fact.award_at), extract("month", Fact.award_at)
    awards = (
        select(
            year,
            month,
            Fact.award_partial,
            Fact.award_system,
            func.count(),
            func.sum(Fact.award_credit),
        )
        .where(
            facts_where(user, f),
            Fact.award_at.is_not(None),
            Fact.award_imported.is_(False),
            dated(Fact.award_at, f),
        )
        .group_by(year, month, Fact.award_partial, Fact.award_system)
    )
    for y, m, partial, system, count, total in db.session.execute(awards):
        row = term_row(term_for_month(int(y), int(m)))
        bucket = row.partial_credit if partial else row.full_credit
        bucket[system] = bucket.get(system, Decimal(0)) + Decimal(str(total or 0))
        if partial:
            row.partial_awards += count
        else:
            row.full_awards += count
    return [terms[t] for t in sorted(terms, reverse=True)]


def progress_report(user: User, f: ReportFilter) -> dict:
    """Every figure of the progress report: 4 queries once per rebuild of the facts, a day and
    a population (the scope's sites and the filters), 1 query when this worker has them."""
    refresh = last_refresh()
    site_ids = report_site_ids(user, f)
    key = (
        refresh and (refresh.refreshed_at, refresh.rows, refresh.last_award_id),
        None if site_ids is None else tuple(sorted(site_ids)),
        f.kind,
        f.course and f.course.id,
        f.term,
        f.period,
        utcnow().date(),
    )
    kept = _kept_reports()
    with _lock:
        figures = kept.get(key)
    if figures is None:
        figures = {
            "stages": count_stages(user, f),
            "units_passed": units_passed_by_period(user, f),
            "terms": credit_by_term(user, f),
        }
        with _lock:
            kept[key] = figures
    return {**figures, "current_term": term_for(utcnow())}


def _kept_reports() -> TTLCache:
    """This app's kept figures (each app its own: tests run several, on their own databases)."""
    extensions = current_app.extensions
    kept = extensions.get("puente_progress_reports")
    if kept is None:
        kept = extensions.setdefault(
            "puente_progress_reports", TTLCache(maxsize=KEPT_REPORTS, ttl=KEPT_SECONDS)
        )
    return kept
