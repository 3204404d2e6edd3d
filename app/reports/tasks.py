"""The job worker keeps the report facts fresh: rebuilt when older than REPORT_REFRESH_SECONDS."""

from datetime import timedelta

from flask import current_app

from app.common import utcnow
from app.extensions import db
from app.jobs import watch
from app.reports.facts import last_refresh, refresh_report_facts


@watch
def refresh_stale_report_facts(at_start: bool) -> bool:
    """Rebuild the facts if they are missing or stale; True when it did."""
    refresh = last_refresh()
    age = timedelta(seconds=current_app.config.get("REPORT_REFRESH_SECONDS", 600))
    if refresh is not None and refresh.refreshed_at > utcnow() - age:
        return False
    refresh_report_facts()
    db.session.commit()
    return True
