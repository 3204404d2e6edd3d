"""ISO 3166-2 places Puente names (US and Mexican states, the two countries), from places.toml."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask import g, has_request_context

PLACES_FILE = Path(__file__).with_name("places.toml")


@dataclass(frozen=True)
class Place:
    code: str  # US-ND, MX-MIC, or a bare country code (US, MX)
    en: str
    es: str

    @property
    def country(self) -> str:
        return self.code[:2]

    @property
    def is_country(self) -> bool:
        return "-" not in self.code

    def name(self, locale: str | None = None) -> str:
        return self.es if (locale or _locale()) == "es" else self.en


def _locale() -> str:
    return getattr(g, "locale", "en") if has_request_context() else "en"


@cache
def _places() -> dict[str, Place]:
    with PLACES_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    rows = [*data["countries"], *data["US"], *data["MX"]]
    return {code: Place(code, en, es) for code, en, es in rows}


def place(code: str | None) -> Place | None:
    return _places().get((code or "").strip().upper())


def place_name(code: str | None, locale: str | None = None) -> str:
    """The place's name in the current language, or the code itself when it is not known."""
    found = place(code)
    return found.name(locale) if found else (code or "—")


def states(country: str) -> list[Place]:
    """The states of `country` ("US": 50 states and DC; "MX": 32 entidades), in file order."""
    return [p for p in _places().values() if p.country == country and not p.is_country]


def countries() -> list[Place]:
    return [p for p in _places().values() if p.is_country]


def is_mexican_state(code: str | None) -> bool:
    found = place(code)
    return found is not None and found.country == "MX" and not found.is_country
