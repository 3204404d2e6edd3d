"""School terms as date ranges; they agree with `term_of` (the season a certificate names)."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from app.certificates.facts import term_of

SEASONS = ("spring", "summer", "fall")
# First month of each season; a season runs until the next one starts (fall until January).
SEASON_START = {"spring": 1, "summer": 6, "fall": 8}
SEASON_LABEL = {"spring": _l("Spring"), "summer": _l("Summer"), "fall": _l("Fall")}


@dataclass(frozen=True, order=True)
class Term:
    year: int
    season_index: int

    @property
    def season(self) -> str:
        return SEASONS[self.season_index]

    @property
    def key(self) -> str:
        return f"{self.year}-{self.season}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, SEASON_START[self.season], 1)

    @property
    def end(self) -> datetime:
        """The first moment after the term (the next term's start)."""
        if self.season == "fall":
            return datetime(self.year + 1, 1, 1)
        return datetime(self.year, SEASON_START[SEASONS[self.season_index + 1]], 1)

    @property
    def label(self) -> str:
        return f"{SEASON_LABEL[self.season]} {self.year}"


def term_for(day: date | datetime) -> Term:
    """The term a day falls in (the rule of `app.certificates.facts.term_of`)."""
    found = term_of(datetime(day.year, day.month, day.day))
    return Term(int(found["year"]), SEASONS.index(found["season"]))


def term_for_month(year: int, month: int) -> Term:
    return term_for(date(year, month, 1))


def parse_term(text: str) -> Term | None:
    """'2026-fall' -> Term, or None when it is not a term."""
    year, _sep, season = text.partition("-")
    if not (year.isdigit() and len(year) == 4 and season in SEASONS):
        return None
    return Term(int(year), SEASONS.index(season))


def recent_terms(today: date, count: int = 9) -> list[Term]:
    """The current term and the ones before it, newest first (the term filter's choices)."""
    term, terms = term_for(today), []
    for _ in range(count):
        terms.append(term)
        index = term.season_index - 1
        term = Term(term.year - (index < 0), index % len(SEASONS))
    return terms
