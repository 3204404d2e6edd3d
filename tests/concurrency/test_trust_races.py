"""The trust path under real parallel requests (gunicorn, two workers): reissuing a revoked
certificate twice at once, status list indexes for issuers racing, the live status list."""

import base64
import gzip
from functools import partial

import pytest
import requests
from sqlalchemy import func, select

from app.certificates.models import Certificate, StatusList
from app.certificates.services import issue_certificate, revoke_certificate
from app.credits.services import award_credit
from app.extensions import db
from tests.concurrency.harness import TRIALS, at_once, passed_enrollment, tally

pytestmark = pytest.mark.own_databases  # gunicorn on a database of its own


def fresh(stmt):
    db.session.rollback()
    value = db.session.scalar(stmt)
    db.session.rollback()
    return value


@pytest.fixture(scope="module")
def coordinators(live):
    return live.actor(live.world["coord_tx"]), live.actor(live.world["coord2_tx"])


def test_a_revoked_certificate_reissued_twice_at_once_yields_one(live, coordinators):
    coordinator = live.world["coord_tx"]
    for _trial in range(TRIALS):
        award = award_credit(passed_enrollment(live.world), coordinator)
        old = issue_certificate(award, coordinator)
        revoke_certificate(old, coordinator, "Printed with the wrong site")
        db.session.commit()
        old_id = old.id
        path = f"/certificates/awards/{award.id}/issue"
        responses = at_once(*(partial(a.post, path) for a in coordinators))
        valid = fresh(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.credit_award_id == award.id, Certificate.revoked_at.is_(None))
        )
        new_id = fresh(
            select(Certificate.id).where(
                Certificate.credit_award_id == award.id, Certificate.revoked_at.is_(None)
            )
        )
        replaced_by = fresh(select(Certificate.replaced_by_id).where(Certificate.id == old_id))
        tally(
            "reissue a revoked certificate ×2",
            duplicates=max(0, valid - 1),
            errors=sum(r.status_code >= 500 for r in responses),
        )
        assert {r.status_code for r in responses} <= {302, 303}, [r.status_code for r in responses]
        assert valid == 1
        assert replaced_by == new_id


def test_issuers_racing_get_distinct_status_list_indexes(live, coordinators):
    coordinator = live.world["coord_tx"]
    for _trial in range(TRIALS):
        awards = [award_credit(passed_enrollment(live.world), coordinator) for _ in coordinators]
        db.session.commit()
        ids = [a.id for a in awards]
        responses = at_once(
            *(
                partial(actor.post, f"/certificates/awards/{award_id}/issue")
                for actor, award_id in zip(coordinators, ids, strict=True)
            )
        )
        db.session.rollback()
        indexes = db.session.scalars(
            select(Certificate.status_index).where(Certificate.credit_award_id.in_(ids))
        ).all()
        db.session.rollback()
        tally(
            "status list index ×2 issuers",
            duplicates=len(indexes) - len(set(indexes)),
            errors=sum(r.status_code >= 500 for r in responses),
        )
        assert [r.status_code for r in responses] == [302, 302]
        assert len(indexes) == 2 and None not in indexes and len(set(indexes)) == 2


def test_an_issuer_signs_while_another_holds_the_status_list(live, coordinators):
    """On PostgreSQL, status list indexes come from a sequence: a certificate is issued (its
    PDF rendering overlapping its signing) while another transaction holds the list's row."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its counter row is the lock there")
    coordinator = live.world["coord_tx"]
    issue_certificate(award_credit(passed_enrollment(live.world), coordinator), coordinator)
    award = award_credit(passed_enrollment(live.world), coordinator)
    db.session.commit()
    with db.engine.connect() as other:
        other.execute(select(StatusList.id).with_for_update())  # held until the rollback
        response = coordinators[0].post(f"/certificates/awards/{award.id}/issue", timeout=15)
        other.rollback()
    assert response.status_code == 302
    index = fresh(select(Certificate.status_index).where(Certificate.credit_award_id == award.id))
    assert index is not None


def _bit(status_list: dict, index: int) -> int:
    encoded = status_list["credentialSubject"]["encodedList"][1:]  # after the multibase "u"
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_the_served_status_list_shows_a_revocation_at_once(live, coordinators):
    coordinator = live.world["coord_tx"]
    cert = issue_certificate(award_credit(passed_enrollment(live.world), coordinator), coordinator)
    db.session.commit()
    url = cert.credential["credentialStatus"]["statusListCredential"]
    served = f"{live.base}/status/revocation"
    assert url.endswith("/status/revocation")
    before = requests.get(served, timeout=10)
    assert before.status_code == 200 and before.headers["Access-Control-Allow-Origin"] == "*"
    assert _bit(before.json(), cert.status_index) == 0
    etag = before.headers["ETag"]
    assert requests.get(served, headers={"If-None-Match": etag}, timeout=10).status_code == 304

    revoked = coordinators[0].post(
        f"/certificates/{cert.id}/revoke", {"reason": "Issued to the wrong student"}
    )
    assert revoked.status_code == 302
    after = requests.get(served, headers={"If-None-Match": etag}, timeout=10)
    assert after.status_code == 200
    assert _bit(after.json(), cert.status_index) == 1
