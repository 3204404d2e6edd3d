"""Site model."""

from datetime import datetime

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.common import utcnow
from app.extensions import db


class Site(db.Model):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # ISO 3166-2 subdivision, e.g. US-TX, MX-MIC.
    state_code: Mapped[str] = mapped_column(String(6), index=True)
    city: Mapped[str | None] = mapped_column(String(120))
    # A site of another installation, named by an imported record (where units were done).
    is_external: Mapped[bool] = mapped_column(default=False, server_default=false())
    # OneRoster sourcedId of the org row this site came from.
    roster_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def country(self) -> str:
        return self.state_code[:2]

    def __repr__(self) -> str:
        return f"<Site {self.code}>"
