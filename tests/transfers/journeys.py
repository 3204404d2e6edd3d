"""People and records for journeys between a Texas and a North Dakota installation."""

from datetime import date

from app.courses.services import import_package as import_course
from app.enrollments.services import assign_course
from app.extensions import db
from app.grading.services import record_paper_scores
from app.learning.services import approve_unit_test
from app.users.models import Role
from config import BASE_DIR
from tests import factories

ALGEBRA = BASE_DIR / "courses" / "algebra-i-a"


def seed_texas(installation) -> dict:
    """Rosa passed units 1-3 of Algebra I A at the Rio Grande Valley PASS Center; unit 4's test
    is approved and waiting for her."""
    with installation.context():
        version = import_course(ALGEBRA)
        site = factories.make_site("US-TX", code="TX-RGV", name="Rio Grande Valley PASS Center")
        teacher = factories.make_user(Role.TEACHER, site, email="teacher@tx.example.org")
        admin = factories.make_user(Role.ADMIN, email="admin@tx.example.org")
        student = factories.make_student(
            site,
            with_user=False,
            given_name="Rosa",
            family_name="Campos",
            msix_id="123456789012",
            birth_date=date(2009, 3, 14),
        )
        enrollment = assign_course(student, version, teacher)
        for progress in enrollment.units[:3]:
            record_paper_scores(progress, teacher, 90.0, 80.0, date.today())
        approve_unit_test(enrollment.units[3], teacher)
        db.session.commit()
        return {"student_id": student.id, "teacher": teacher.email, "admin": admin.email}


def seed_dakota(installation) -> dict:
    with installation.context():
        import_course(ALGEBRA)
        site = factories.make_site("US-ND", code="ND-RRV", name="Red River Valley Summer Program")
        coordinator = factories.make_user(
            Role.COORDINATOR, site, email="coordinator@nd.example.org"
        )
        admin = factories.make_user(Role.ADMIN, email="admin@nd.example.org")
        teacher = factories.make_user(Role.TEACHER, site, email="teacher@nd.example.org")
        db.session.commit()
        return {
            "site_id": site.id,
            "coordinator": coordinator.email,
            "admin": admin.email,
            "teacher": teacher.email,
        }
