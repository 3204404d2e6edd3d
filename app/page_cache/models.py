"""How many changes to each site's records have been committed (site 0: everything else)."""

from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

EVERYTHING = 0  # the generation of what belongs to no one site: courses, sites, state staff


class PageGeneration(db.Model):
    __tablename__ = "page_generation"

    site_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(default=0)
