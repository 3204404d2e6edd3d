"""The database keeps one current award per enrollment and one valid certificate per award;
the migration that adds those indexes repairs older duplicates first, deterministically."""

import importlib.util
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.certificates.models import Certificate
from app.common import utcnow
from app.credits.models import CreditAward
from app.extensions import db
from config import BASE_DIR
from tests import factories
from tests.certificates.helpers import awarded

MIGRATION = next((BASE_DIR / "migrations" / "versions").glob("*_integrity_under_concurrency.py"))


def _copy(award: CreditAward, **changes) -> CreditAward:
    columns = {c.key: getattr(award, c.key) for c in CreditAward.__table__.columns if c.key != "id"}
    twin = CreditAward(**{**columns, **changes})
    db.session.add(twin)
    return twin


def test_a_second_current_award_is_refused_by_the_database(world):
    award = awarded(world)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        _copy(award)
        db.session.flush()
    _copy(award, superseded_at=utcnow())  # a superseded one is history, allowed
    db.session.flush()


def test_a_second_valid_certificate_of_an_award_is_refused_by_the_database(world):
    award = awarded(world)
    first = factories.make_certificate(award, world["coord_tx"])
    with pytest.raises(IntegrityError), db.session.begin_nested():
        factories.make_certificate(award, world["coord_tx"])
    first.revoked_at = utcnow()
    db.session.flush()
    factories.make_certificate(award, world["coord_tx"])  # a revoked one does not count


def _migration():
    spec = importlib.util.spec_from_file_location("integrity_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_repairs_duplicates_before_adding_the_indexes(world):
    connection = db.session.connection()
    for index in ("uq_credit_award_current", "uq_certificate_valid_award"):
        connection.execute(text(f"DROP INDEX {index}"))  # as before the migration (rolled back)
    older = awarded(world)
    newer = _copy(older, awarded_at=older.awarded_at + timedelta(minutes=1))
    db.session.flush()
    kept = factories.make_certificate(newer, world["coord_tx"])
    twin = factories.make_certificate(newer, world["coord_tx"])
    of_older = factories.make_certificate(older, world["coord_tx"])
    migration = _migration()
    superseded = migration._repair_current_awards(connection)
    migration._repair_valid_certificates(connection, superseded)
    db.session.expire_all()
    assert superseded == {older.id: newer.id}
    assert older.superseded_at == newer.awarded_at and newer.superseded_at is None
    assert kept.revoked_at is None
    for duplicate in (twin, of_older):
        assert duplicate.revoked_at is not None and duplicate.replaced_by_id == kept.id
        assert duplicate.revoke_reason.startswith(f"Duplicate of {kept.serial} for the same credit")
    assert db.session.query(Certificate).filter(Certificate.revoked_at.is_(None)).count() == 1
