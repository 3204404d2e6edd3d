"""Site queries shared by several areas."""

from sqlalchemy import select

from app.extensions import db
from app.sites.models import Site


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
