"""The reports' filters (site, state, term, course, student kind, days, period): read, checked
against the user's scope, and turned into WHERE clauses.

Rules:
- the population is the students the user may see (`student_scope`), by their present site;
- site and state narrow it, and may only name a site or state inside the user's scope (403);
- kind keeps secondary students or out-of-school youth;
- course keeps enrollments in any version of that course; term keeps enrollments open during the
  term (assigned before it ended, not completed before it began), and dated figures (units
  passed, completions, credit, certificates) to the term's dates;
- malformed values are a 400 with a message saying which filter is wrong.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, any_, false, func, or_, select, true

from app.courses.models import Course, CourseVersion
from app.credits.models import CreditAward
from app.enrollments.models import Enrollment
from app.extensions import db
from app.permissions import can_manage_site, scope_site_ids, scope_sites
from app.reports.models import ReportEnrollment as Fact
from app.reports.models import ReportRefresh
from app.reports.terms import Term, parse_term
from app.security import refuse
from app.sites.models import Site
from app.students.identifiers import STATE_CODE_RE
from app.students.models import Student, StudentKind
from app.users.models import Role, User

DEFAULT_DAYS = 14
MAX_DAYS = 730
PERIODS = ("week", "month")


@dataclass(frozen=True)
class ReportFilter:
    site: Site | None = None
    state_code: str | None = None
    term: Term | None = None
    course: Course | None = None
    kind: StudentKind | None = None
    days: int = DEFAULT_DAYS
    period: str = "week"

    def query_args(self) -> dict[str, str]:
        """The filters as query-string values (for the CSV link and the form)."""
        args = {
            "site": str(self.site.id) if self.site else "",
            "state": self.state_code or "",
            "term": self.term.key if self.term else "",
            "course": str(self.course.id) if self.course else "",
            "kind": self.kind.value if self.kind else "",
            "days": str(self.days),
            "period": self.period,
        }
        return {k: v for k, v in args.items() if v}


def _int(value: str, message: str) -> int:
    if not value.isdigit() or len(value) > 9:
        refuse(message)
    return int(value)


def state_in_scope(user: User, state_code: str) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.site_id:
        return user.site is not None and user.site.state_code == state_code
    return user.role == Role.COORDINATOR and user.state_code == state_code


def _site(user: User, value: str) -> Site | None:
    if not value:
        return None
    site = db.session.get(Site, _int(value, _("Choose a site from the list.")))
    if site is None or site.is_external:
        refuse(_("Choose a site from the list."))
    if not can_manage_site(user, site):
        refuse(_("You do not have access to this site's figures."), 403)
    return site


def _state(user: User, value: str) -> str | None:
    if not value:
        return None
    code = value.strip().upper()
    if not STATE_CODE_RE.match(code):
        refuse(_("The state must be an ISO 3166-2 code such as US-TX or MX-MIC."))
    if not state_in_scope(user, code):
        refuse(_("You do not have access to this state's figures."), 403)
    return code


def read_filters(user: User, args) -> ReportFilter:
    """The filters in `args`, checked. Refuses (400) malformed values, (403) out-of-scope ones."""
    get = lambda name: (args.get(name) or "").strip()  # noqa: E731
    term = None
    if get("term"):
        term = parse_term(get("term"))
        if term is None:
            refuse(_("The term must be a year and a season, such as 2026-fall."))
    course = None
    if get("course"):
        course = db.session.get(Course, _int(get("course"), _("Choose a course from the list.")))
        if course is None:
            refuse(_("Choose a course from the list."))
    kind = None
    if get("kind"):
        if get("kind") not in {k.value for k in StudentKind}:
            refuse(_("The student kind must be secondary or out-of-school youth."))
        kind = StudentKind(get("kind"))
    days = DEFAULT_DAYS
    if get("days"):
        days = _int(get("days"), _("The number of days must be a whole number."))
        if not 1 <= days <= MAX_DAYS:
            refuse(_("The number of days must be between 1 and %(max)s.", max=MAX_DAYS))
    period = get("period") or "week"
    if period not in PERIODS:
        refuse(_("The period must be week or month."))
    return ReportFilter(
        site=_site(user, get("site")),
        state_code=_state(user, get("state")),
        term=term,
        course=course,
        kind=kind,
        days=days,
        period=period,
    )


def report_site_ids(user: User, f: ReportFilter) -> list[int] | None:
    """The ids of the sites the figures cover: the user's scope narrowed by the site and state
    filters (None: every site). As values, PostgreSQL walks the site indexes for them; a
    subquery on the sites became a hash join over every row of the installation."""
    if f.site:
        return [f.site.id]  # inside the scope: `read_filters` refused it otherwise
    ids = scope_site_ids(user)
    if f.state_code:
        sites = scope_sites(user)
        if sites is None:  # every site: those of the state
            return list(db.session.scalars(select(Site.id).where(Site.state_code == f.state_code)))
        in_state = {site.id for site in sites if site.state_code == f.state_code}
        ids = [site_id for site_id in ids if site_id in in_state]
    return ids


def site_where(user: User, f: ReportFilter, column) -> ColumnElement[bool]:
    """`column` (the student's present site, or a site id kept equal to it, such as an open
    attempt's or a fact row's) inside the scope and the site/state filters."""
    site_ids = report_site_ids(user, f)
    if site_ids is None:
        return true()
    if len(site_ids) == 1:
        return column == site_ids[0]
    return column.in_(site_ids) if site_ids else false()


def student_where(user: User, f: ReportFilter) -> ColumnElement[bool]:
    """Students in the user's scope narrowed by site, state and kind."""
    clauses = [site_where(user, f, Student.site_id)]
    if f.kind:
        clauses.append(Student.kind == f.kind)
    return and_(*clauses)


def enrollment_where(f: ReportFilter) -> ColumnElement[bool]:
    """Enrollments in the chosen course, open during the chosen term."""
    clauses = []
    if f.course:
        versions = select(CourseVersion.id).where(CourseVersion.course_id == f.course.id)
        clauses.append(Enrollment.course_version_id.in_(versions))
    if f.term:
        clauses.append(Enrollment.assigned_at < f.term.end)
        clauses.append(
            or_(Enrollment.completed_at.is_(None), Enrollment.completed_at >= f.term.start)
        )
    return and_(true(), *clauses)


def facts_where(user: User, f: ReportFilter, fact=Fact) -> ColumnElement[bool]:
    """The same population on the report facts (app/reports/models.py): site, state, kind,
    course and term, each on the fact row's own column (`fact`: the table or an alias)."""
    Fact = fact  # noqa: N806
    clauses = [site_where(user, f, Fact.site_id)]
    if f.kind:
        clauses.append(Fact.kind == f.kind.value)
    if f.course:
        clauses.append(Fact.course_id == f.course.id)
    if f.term:
        clauses.append(Fact.assigned_at < f.term.end)
        clauses.append(or_(Fact.completed_at.is_(None), Fact.completed_at >= f.term.start))
    return and_(*clauses)


def award_candidates(user: User, f: ReportFilter) -> ColumnElement[bool]:
    """A live award's id among those a list or sum of current awards may hold: the current
    awards of the scope's fact rows (by site), and every award made since the facts were last
    rebuilt (a few, by primary key; every award when never rebuilt). Each is still checked
    against the live records by the caller, so a new award, a regrade or a certificate shows at
    once; a student who moved into the scope is counted after the next rebuild."""
    if report_site_ids(user, f) is None:
        return true()  # every site: the live awards are the candidates
    of_facts = select(Fact.award_id).where(facts_where(user, f), Fact.award_at.is_not(None))
    newest = select(ReportRefresh.last_award_id).where(ReportRefresh.id == 1).scalar_subquery()
    since = select(CreditAward.id).where(CreditAward.id > func.coalesce(newest, 0))
    candidates = of_facts.union(since)
    if db.session.get_bind().dialect.name == "postgresql":
        # As an array PostgreSQL looks each up by primary key; as `IN (subquery)` it guessed a
        # third of all awards since the rebuild and hash-joined every enrollment.
        return CreditAward.id == any_(func.array(candidates.scalar_subquery()))
    return CreditAward.id.in_(candidates)


def narrows_enrollments(f: ReportFilter) -> bool:
    return f.course is not None or f.term is not None


def dated(column, f: ReportFilter) -> ColumnElement[bool]:
    """A dated figure's column inside the term (every date when no term is chosen)."""
    if f.term is None:
        return true()
    return and_(column >= f.term.start, column < f.term.end)
