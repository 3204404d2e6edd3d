"""Each report as a list of tables (title, headers, rows): the page draws them with their charts
and the CSV writes the very same rows, so both show the same figures."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.credits.rules import credit_text
from app.labels import status_label
from app.places import place_name
from app.reports.attention import AGE_BUCKETS
from app.reports.charts import bar_chart
from app.reports.program import BORN_ABROAD, NOT_RECORDED
from app.reports.progress import STAGES

CREDIT_SYSTEMS = {"carnegie": _l("Carnegie units"), "california": _l("California credits")}
AGE_LABELS = {
    "under_1": _l("Under 1 day"),
    "1_to_3": _l("1 to 3 days"),
    "3_to_7": _l("3 to 7 days"),
    "over_7": _l("Over 7 days"),
}


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    links: list[str | None] = field(default_factory=list)  # one per row: where it leads
    chart: Markup | None = None
    note: str | None = None  # e.g. "the oldest 25 of 130"


def _chart(table: Table, column: int = 1, **kw) -> Table:
    labels = [str(row[0]) for row in table.rows]
    values = [float(row[column] or 0) for row in table.rows]
    table.chart = bar_chart(table.title, labels, [(table.headers[column], values)], **kw)
    return table


def _credit(totals: dict) -> str:
    return "; ".join(_credit_amount(system, total) for system, total in sorted(totals.items()))


def _credit_amount(system: str, total) -> str:
    """A credit total in its system's words, singular for exactly one (1 Carnegie unit)."""
    credit = credit_text(total)
    count = 1 if credit == "1" else 2
    if system == "carnegie":
        return ngettext(
            "%(credit)s Carnegie unit", "%(credit)s Carnegie units", count, credit=credit
        )
    if system == "california":
        return ngettext(
            "%(credit)s California credit", "%(credit)s California credits", count, credit=credit
        )
    return f"{credit} {system}"


def _title(row, locale: str) -> str:
    return (row.title_es if locale == "es" else None) or row.title_en


def _name(row) -> str:
    return f"{row.given_name} {row.family_name}"


def _listing(key, title, total, rows, headers, cells, link=None) -> Table:
    table = Table(key, title, headers)
    for row in rows:
        table.rows.append(cells(row))
        table.links.append(link(row) if link else None)
    if total > len(rows):
        table.note = _("The first %(shown)s of %(total)s.", shown=len(rows), total=total)
    return table


def progress_tables(data: dict, period: str) -> list[Table]:
    stages = Table(
        "stages",
        _("Students in courses by stage"),
        [_("Stage"), _("Enrollments")],
        [[status_label(stage), data["stages"][stage]] for stage in STAGES],
    )
    pattern = "d MMM yyyy" if period == "week" else "MMMM yyyy"
    units = Table(
        "units_passed",
        _("Units passed per week") if period == "week" else _("Units passed per month"),
        [_("Week of") if period == "week" else _("Month"), _("Units passed")],
        [[format_date(start, pattern), count] for start, count in data["units_passed"]],
    )
    terms = Table(
        "terms",
        _("Courses completed and credit awarded per term"),
        [
            _("Term"),
            _("Courses completed"),
            _("Full credit awards"),
            _("Full credit"),
            _("Partial credit awards"),
            _("Partial credit"),
        ],
    )
    for row in data["terms"]:
        terms.rows.append(
            [
                row.term.label,
                row.completed,
                row.full_awards,
                _credit(row.full_credit),
                row.partial_awards,
                _credit(row.partial_credit),
            ]
        )
    terms.chart = bar_chart(
        terms.title,
        [r[0] for r in terms.rows],
        [(terms.headers[i], [r[i] for r in terms.rows]) for i in (1, 2, 4)],
    )
    return [_chart(stages), _chart(units), terms]


def attention_tables(data: dict, days: int, locale: str) -> list[Table]:
    inactive_total, inactive = data["inactive"]
    reassess_total, reassess = data["reassess"]
    approval_counts, approval_total, approvals = data["approvals"]
    ages, backlog_total, backlog = data["backlog"]
    pending_total, pending = data["pending"]
    now = data["now"]
    summary = Table(
        "summary",
        _("What needs attention"),
        [_("What"), _("Count")],
        [
            [_("Students with no activity for %(days)s days", days=days), inactive_total],
            [_("Students to re-assess (units 1 to 3 all failed)"), reassess_total],
            [_("Approvals waiting"), approval_counts["waiting"]],
            [_("Approvals expired"), approval_counts["expired"]],
            [_("Work waiting for grading"), backlog_total],
            [_("Certificates pending"), pending_total],
        ],
    )
    age_table = Table(
        "backlog_ages",
        _("Work waiting for grading, by age"),
        [_("Waiting"), _("Handed-in work")],
        [[AGE_LABELS[name], ages[name]] for _days, name in AGE_BUCKETS],
    )
    student_link = lambda row: url_for("students.detail", student_id=row.student_id)  # noqa: E731
    return [
        _chart(summary, horizontal=True),
        _chart(age_table),
        _listing(
            "backlog",
            _("Work waiting for grading, oldest first"),
            backlog_total,
            backlog,
            [_("Student"), _("Site"), _("Course"), _("Unit"), _("Handed in"), _("Days waiting")],
            lambda r: [
                _name(r),
                r.site_name,
                _title(r, locale),
                r.unit_number,
                r.submitted_at,
                (now - r.submitted_at).days,
            ],
            lambda r: url_for("grading.attempt", attempt_id=r.attempt_id),
        ),
        _listing(
            "inactive",
            _("Students with no activity for %(days)s days", days=days),
            inactive_total,
            inactive,
            [_("Student"), _("Site"), _("Last activity"), _("Days")],
            lambda r: [_name(r), r.site_name, r.last_activity, (now - r.last_activity).days],
            student_link,
        ),
        _listing(
            "reassess",
            _("Students to re-assess (units 1 to 3 all failed)"),
            reassess_total,
            reassess,
            [_("Student"), _("Site"), _("Course")],
            lambda r: [_name(r), r.site_name, _title(r, locale)],
            student_link,
        ),
        _listing(
            "approvals",
            _("Approvals waiting or expired"),
            approval_total,
            approvals,
            [_("Student"), _("Site"), _("Course"), _("Unit"), _("Approved at"), _("State")],
            lambda r: [
                _name(r),
                r.site_name,
                _title(r, locale),
                r.unit_number,
                r.test_approved_at,
                _("Waiting") if r.is_open else _("Expired"),
            ],
            student_link,
        ),
        _listing(
            "pending",
            _("Certificates pending, oldest first"),
            pending_total,
            pending,
            [_("Student"), _("Site"), _("Course"), _("Awarded"), _("Credit")],
            lambda r: [
                _name(r),
                r.site_name,
                _title(r, locale),
                r.awarded_at,
                _("Partial") if r.is_partial else _("Full"),
            ],
            student_link,
        ),
    ]


def _origin_label(code: str) -> str:
    if code == BORN_ABROAD:
        return _("Born outside Mexico")
    if code == NOT_RECORDED:
        return _("No CURP recorded")
    return place_name(code)


def program_tables(data: dict) -> list[Table]:
    kinds = Table(
        "kinds",
        _("Secondary students and out-of-school youth"),
        [_("Student kind"), _("Students")],
        [[status_label(kind), count] for kind, count in data["kinds"].items()],
    )
    grades = Table(
        "grades",
        _("Students by grade level"),
        [_("Grade level"), _("Students")],
        [
            [_("Grade %(grade)s", grade=grade) if grade else _("Not specified"), count]
            for grade, count in data["grades"]
        ],
    )
    origins = Table(
        "origins",
        _("Students by state of origin (state of birth in the CURP)"),
        [_("State of origin"), _("Students")],
        [[_origin_label(code), count] for code, count in data["origins"]],
    )
    binational = Table(
        "binational",
        _("Binational students (moved between Mexico and the US in the last 36 months)"),
        [_("Students"), _("Count")],
        [[_("Binational students"), data["binational"]], [_("All students"), data["total"]]],
    )
    credits = Table(
        "credits",
        _("Credits earned toward graduation"),
        [_("Credit system"), _("Students with credit"), _("Credit earned")],
        [
            [CREDIT_SYSTEMS.get(system, system), students, credit_text(total)]
            for system, (students, total) in sorted(data["credits"].items())
        ],
    )
    return [
        _chart(kinds),
        _chart(grades),
        _chart(origins, horizontal=True),
        _chart(binational),
        credits,
    ]


def csv_value(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    return str(value)
