"""Races against a live gunicorn (two workers) on a real database; the figures at the end."""

import json
import os
from pathlib import Path

import pytest

from app import create_app
from app.certificates.signing import load_private_key
from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.concurrency import harness
from tests.concurrency.harness import FIGURES
from tests.live import LiveConfig


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    if os.environ.get("PUENTE_RACE_REPORT"):  # bench/races_bench.py reads it
        Path(os.environ["PUENTE_RACE_REPORT"]).write_text(json.dumps(FIGURES, indent=2))
    write = terminalreporter.write_line
    write("")
    write("races against gunicorn (2 workers), real parallel requests:")
    write(f"  {'race':<34}{'trials':>7}{'duplicates':>12}{'lost updates':>14}{'500s':>6}")
    for race, row in FIGURES.items():
        write(
            f"  {race:<34}{row['trials']:>7}{row['duplicates']:>12}{row['lost']:>14}"
            f"{row['500s']:>6}"
        )
    total = {k: sum(r[k] for r in FIGURES.values()) for k in ("trials", "duplicates", "lost")}
    write(
        f"  {len(FIGURES)} races × trials = {total['trials']} trials; "
        f"{total['duplicates']} duplicates, {total['lost']} lost updates"
    )


class Live:
    """The live server's base URL and the seeding app (its context is pushed)."""

    def __init__(self, base: str, world: dict):
        self.base, self.world = base, world

    def actor(self, user) -> harness.Actor:
        return harness.Actor(self.base, user)


@pytest.fixture(scope="module")
def live_database(tmp_path_factory):
    with harness.live_database(tmp_path_factory.mktemp("live")) as url:
        yield url


@pytest.fixture(scope="module")
def seed_app(live_database):
    class SeedConfig(LiveConfig):
        SQLALCHEMY_DATABASE_URI = live_database

    app = create_app(SeedConfig)
    with app.app_context():
        db.create_all()
        load_private_key()  # made once here, not by two workers at the same moment
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def world(seed_app):
    world = factories.make_world()
    world["teacher2_tx1"] = factories.make_user(Role.TEACHER, world["tx1"])
    world["coord2_tx"] = factories.make_user(Role.COORDINATOR, state_code="US-TX")
    db.session.commit()
    return world


@pytest.fixture(scope="module")
def live(seed_app, world, live_database):
    with harness.gunicorn(live_database) as base:
        yield Live(base, world)
