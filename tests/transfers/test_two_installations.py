"""A student moves from one Puente installation to another and finishes the course there."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.certificates.services import (
    CertificateError,
    issue_certificate,
    load_certificate_pdf,
    pending_awards,
)
from app.courses.services import import_package
from app.credits.models import CreditAward
from app.credits.services import award_credit
from app.enrollments.models import Enrollment, UnitStatus
from app.enrollments.services import assign_course
from app.extensions import db
from app.grading.services import record_paper_scores
from app.students.models import Student
from app.transfers.models import TransferImport
from app.users.models import Role
from config import BASE_DIR
from tests import factories
from tests.certificates.helpers import pdf_text
from tests.installations import make_installation

pytestmark = pytest.mark.own_databases  # two installations, each its own database

ALGEBRA = BASE_DIR / "courses" / "algebra-i-a"


@pytest.fixture
def texas(tmp_path):
    app = make_installation(tmp_path, "texas", "https://tx.puente.example")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def north_dakota(tmp_path):
    app = make_installation(tmp_path, "dakota", "https://nd.puente.example")
    yield app
    with app.app_context():
        db.engine.dispose()


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def pass_units(enrollment, teacher, numbers, percent=80.0):
    for progress in enrollment.units:
        if progress.unit_number in numbers:
            record_paper_scores(progress, teacher, 90.0, percent, date.today())


def start_in_texas(texas) -> tuple[bytes, dict]:
    """Rosa passes units 1-3 of Algebra I A in Texas and is awarded partial credit; her teacher
    exports her record."""
    with texas.app_context():
        version = import_package(ALGEBRA)
        site = factories.make_site("US-TX", code="TX-RGV", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site)
        student = factories.make_student(
            site,
            with_user=False,
            given_name="Rosa",
            family_name="Campos",
            msix_id="123456789012",
            birth_date=date(2009, 3, 14),
        )
        enrollment = assign_course(student, version, teacher)
        pass_units(enrollment, teacher, {1, 2, 3})
        coordinator = factories.make_user(
            Role.COORDINATOR, state_code="US-TX", given_name="Marta", family_name="Ruiz"
        )
        award_credit(enrollment, coordinator)  # partial credit travels with the student
        db.session.commit()
        client = texas.test_client()
        sign_in(client, teacher)
        response = client.get(f"/transfers/students/{student.id}/package.json")
        assert response.status_code == 200
        issuer = client.get("/issuer").get_json()
        return response.data, issuer


def north_dakota_people(app):
    with app.app_context():
        import_package(ALGEBRA)
        site = factories.make_site("US-ND", code="ND-RRV", name="Red River Valley Summer Program")
        people = {
            "teacher": factories.make_user(Role.TEACHER, site),
            "coordinator": factories.make_user(Role.COORDINATOR, state_code="US-ND"),
            "admin": factories.make_user(Role.ADMIN),
        }
        db.session.commit()
        return site.id, {k: u.id for k, u in people.items()}


def trust(client, admin, issuer: dict) -> None:
    """The admin adds another installation's published key to the trusted ones."""
    sign_in(client, admin)
    data = {"document": json.dumps(issuer)}
    assert client.post("/transfers/issuers", data=data).status_code == 302


def upload(client, data: bytes, site_id: int):
    return client.post(
        "/transfers/import",
        data={
            "package": (io.BytesIO(data), "rosa.json"),
            "site_id": site_id,
        },
        content_type="multipart/form-data",
    )


def test_the_record_moves_and_the_course_is_finished_at_the_new_installation(texas, north_dakota):
    package, issuer = start_in_texas(texas)
    site_id, people = north_dakota_people(north_dakota)
    client = north_dakota.test_client()
    with north_dakota.app_context():
        admin = db.session.get(factories.User, people["admin"])
        teacher = db.session.get(factories.User, people["teacher"])

    # Not trusted yet: refused with the reason, nothing written.
    sign_in(client, teacher)
    refused = upload(client, package, site_id)
    assert refused.status_code == 400
    assert "does not trust yet" in refused.get_data(as_text=True)

    # The admin trusts the Texas installation's published key.
    trust(client, admin, issuer)

    # The teacher uploads the package, reviews the match, confirms.
    sign_in(client, teacher)
    review = upload(client, package, site_id)
    assert review.status_code == 200
    page = review.get_data(as_text=True)
    assert "Signature valid" in page and "Rio Grande Valley PASS Center" in page
    confirm = {"package": package.decode(), "site_id": site_id, "student": "new"}
    first = client.post("/transfers/confirm", data=confirm)
    assert first.status_code == 302, first.get_data(as_text=True)[-3000:]
    assert client.post("/transfers/confirm", data=confirm).status_code == 302  # again: no change

    with north_dakota.app_context():
        assert db.session.scalar(select(func.count()).select_from(TransferImport)) == 1
        rosa = db.session.scalar(select(Student).where(Student.msix_id == "123456789012"))
        assert rosa.site_id == site_id and rosa.birth_date == date(2009, 3, 14)
        (enrollment,) = db.session.scalars(
            select(Enrollment).where(Enrollment.student_id == rosa.id)
        )
        units = {u.unit_number: u for u in enrollment.units}
        assert [units[n].status for n in (1, 2, 3)] == [UnitStatus.PASSED] * 3
        assert units[1].completed_site.name == "Rio Grande Valley PASS Center"
        assert units[4].status == UnitStatus.NOT_STARTED

        # Texas's partial credit came along: current, named, not certifiable here.
        coordinator = db.session.get(factories.User, people["coordinator"])
        (carried,) = db.session.scalars(
            select(CreditAward).where(CreditAward.enrollment_id == enrollment.id)
        )
        assert (carried.credit, carried.is_partial, carried.state_code) == (
            Decimal("0.3"),
            True,
            "US-TX",
        )
        assert carried.awarded_by_name == "Marta Ruiz" and carried.superseded_at is None
        assert carried.site.name == "Rio Grande Valley PASS Center" and carried.site.is_external
        assert carried not in db.session.scalars(pending_awards(coordinator)).all()
        with pytest.raises(CertificateError):
            issue_certificate(carried, coordinator)

        # She finishes units 4 and 5 in North Dakota; the coordinator awards credit.
        teacher = db.session.get(factories.User, people["teacher"])
        pass_units(enrollment, teacher, {4, 5}, percent=70.0)
        award = award_credit(enrollment, coordinator)
        assert (award.units_passed, award.credit, award.is_partial) == (5, 0.5, False)
        assert carried.superseded_at is not None  # the newest award is the current one
        assert award.grade_percent == 76.0  # (80 × 3 + 70 × 2) / 5
        cert = issue_certificate(award, coordinator)
        db.session.commit()
        text = " ".join(pdf_text(load_certificate_pdf(cert), layout=False).split())
    assert "1–3: Rio Grande Valley PASS Center (US-TX)" in text
    assert "4–5: Red River Valley Summer Program (US-ND)" in text
    assert "76.0 % · C" in text


def test_a_changed_package_is_refused_and_nothing_is_written(texas, north_dakota):
    package, issuer = start_in_texas(texas)
    site_id, people = north_dakota_people(north_dakota)
    client = north_dakota.test_client()
    with north_dakota.app_context():
        admin = db.session.get(factories.User, people["admin"])
        teacher = db.session.get(factories.User, people["teacher"])
    trust(client, admin, issuer)
    forged = json.loads(package)
    forged["enrollments"][0]["units"][3]["status"] = "passed"
    forged["enrollments"][0]["units"][3]["best_test_percent"] = 100.0
    sign_in(client, teacher)
    refused = upload(client, json.dumps(forged).encode(), site_id)
    assert refused.status_code == 400
    assert "The signature does not match" in refused.get_data(as_text=True)
    malformed = upload(client, b'{"format": "puente-transfer"}', site_id)
    assert malformed.status_code == 400
    assert "(package): the field “version” is missing." in malformed.get_data(as_text=True)
    with north_dakota.app_context():
        assert db.session.scalar(select(func.count()).select_from(Student)) == 0
