"""Sites: the list with its search, creating one, and the places this installation serves."""

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from app.audit.services import record_event
from app.errors import DomainError
from app.extensions import db
from app.search import contains
from app.sites.models import Site
from app.students.identifiers import STATE_CODE_RE
from app.users.models import User


class SiteError(DomainError):
    """A site cannot be created; the message says why."""

    status = 400


def served_places() -> list[str]:
    """The states (ISO 3166-2) where this installation has sites of its own."""
    return list(
        db.session.scalars(
            select(Site.state_code)
            .where(Site.is_external.is_(False))
            .distinct()
            .order_by(Site.state_code)
        )
    )


def filter_sites(args) -> Select:
    """Every site, narrowed by ?q= (code, name or city) and ?state=, by state and name."""
    stmt = select(Site).order_by(Site.state_code, Site.name, Site.id)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(contains(q, Site.code, Site.name, Site.city))
    state = (args.get("state") or "").strip().upper()
    if state:
        stmt = stmt.where(Site.state_code == state)
    return stmt


def create_site(by: User, data: dict) -> Site:
    """Create a site.

    :param data: code, name, state_code (ISO 3166-2), city.
    :raises SiteError: when the code is taken or the state code is not ISO 3166-2.
    """
    code = (data.get("code") or "").strip().upper()
    state_code = (data.get("state_code") or "").strip().upper()
    if not STATE_CODE_RE.match(state_code):
        raise SiteError(_("Use an ISO 3166-2 code such as US-TX or MX-MIC."))
    if not code or not (data.get("name") or "").strip():
        raise SiteError(_("A site needs a code and a name."))
    if db.session.scalar(select(Site.id).where(func.upper(Site.code) == code)):
        raise SiteError(_("Another site already has the code %(code)s.", code=code))
    site = Site(
        code=code,
        name=data["name"].strip(),
        state_code=state_code,
        city=(data.get("city") or "").strip() or None,
    )
    db.session.add(site)
    db.session.flush()
    record_event(by, "site.created", site, code=code, state=state_code)
    return site


def update_site(site: Site, by: User, data: dict) -> Site:
    """Edit a site's code, name, state and city; the change is in the audit trail.

    :param data: code, name, state_code (ISO 3166-2), city.
    :raises SiteError: when the code is taken by another site or the state code is not ISO 3166-2.
    """
    code = (data.get("code") or "").strip().upper()
    state_code = (data.get("state_code") or "").strip().upper()
    if not STATE_CODE_RE.match(state_code):
        raise SiteError(_("Use an ISO 3166-2 code such as US-TX or MX-MIC."))
    if not code or not (data.get("name") or "").strip():
        raise SiteError(_("A site needs a code and a name."))
    taken = select(Site.id).where(func.upper(Site.code) == code, Site.id != site.id)
    if db.session.scalar(taken):
        raise SiteError(_("Another site already has the code %(code)s.", code=code))
    fields = ("code", "name", "state_code", "city")
    before = {key: getattr(site, key) for key in fields}
    site.code, site.name, site.state_code = code, data["name"].strip()[:200], state_code
    site.city = (data.get("city") or "").strip()[:120] or None
    changes = {k: [before[k], getattr(site, k)] for k in fields if before[k] != getattr(site, k)}
    if changes:
        db.session.flush()
        record_event(by, "site.updated", site, changes=changes)
    return site
