"""Absurd packages from a trusted installation are refused by field and reason; nothing is written."""

import copy
import io
import json

import pytest
from sqlalchemy import func, select

from app.certificates.signing import load_private_key, sign_document
from app.credits.services import award_credit
from app.extensions import db
from app.installation import key_id
from app.students.models import Student
from app.transfers.checking import check_package
from app.transfers.models import TransferImport
from app.transfers.package import build_package
from app.users.models import Role
from tests import factories


def resigned(package: dict) -> dict:
    """The package changed and signed again with this installation's (trusted) key."""
    unsigned = {k: v for k, v in package.items() if k != "proof"}
    return sign_document(unsigned, load_private_key(), key_id(), package["exported_at"])


@pytest.fixture
def package(world):
    student = factories.make_student(world["tx1"], with_user=False, given_name="Rosa")
    enrollment = factories.make_enrollment(student, world["course"])
    factories.pass_unit(enrollment.units[0])
    factories.make_certificate(award_credit(enrollment, world["coord_tx"]), world["coord_tx"])
    db.session.flush()
    return build_package(student)


def changed(package: dict, change) -> dict:
    data = copy.deepcopy(package)
    change(data)
    return resigned(data)


def units(p):
    return p["enrollments"][0]["units"]


def award(p):
    return p["enrollments"][0]["credit_awards"][0]


CASES = {
    "score 250": (
        lambda p: units(p)[0].update(best_test_percent=250),
        "enrollments/0/units/0/best_test_percent: 250 is above the highest allowed value, 100.",
    ),
    "100 credits": (
        lambda p: award(p).update(credit=100),
        "enrollments/0/credit_awards/0/credit: 100 is above the highest allowed value, 10.",
    ),
    "awarded in 9999": (
        lambda p: award(p).update(awarded_at="9999-01-01T00:00:00"),
        'enrollments/0/credit_awards/0/awarded_at: "9999-01-01T00:00:00" is not in the expected format.',
    ),
    "awarded tomorrow next year": (
        lambda p: award(p).update(awarded_at="2099-01-01T00:00:00"),
        'enrollments/0/credit_awards/0/awarded_at: "2099-01-01T00:00:00" is outside the possible dates (from 2000 until today).',
    ),
    "February 30": (
        lambda p: p["student"].update(birth_date="2009-02-30"),
        'student/birth_date: "2009-02-30" is not a date.',
    ),
    "unknown key": (
        lambda p: p["student"].update(nickname="Ro"),
        "student: “nickname” is not a field of a transfer package.",
    ),
    "nested proof with cryptosuite none": (
        lambda p: units(p)[0].update(proof={"type": "DataIntegrityProof", "cryptosuite": "none"}),
        "enrollments/0/units/0: “proof” is not a field of a transfer package.",
    ),
    "a string for a number": (
        lambda p: units(p)[0].update(test_attempts="2"),
        'enrollments/0/units/0/test_attempts: must be a whole number, not "2".',
    ),
    "missing field": (
        lambda p: p["student"].pop("kind"),
        "student: the field “kind” is missing.",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_absurd_value_is_refused_by_field_and_reason(package, case):
    change, message = CASES[case]
    check = check_package(json.dumps(changed(package, change)).encode())
    assert not check.ok
    assert message in check.problems, check.problems


def test_only_our_cryptosuite_is_accepted(package):
    data = copy.deepcopy(package)
    data["proof"]["cryptosuite"] = "none"
    check = check_package(json.dumps(data).encode())
    assert any(
        p.startswith('proof/cryptosuite: "none" is not allowed here') for p in check.problems
    )


def test_the_unchanged_package_passes(package):
    assert check_package(json.dumps(package).encode()).problems == []


def test_deep_nesting_and_non_json_are_clear_problems():
    deep = b"[" * 100_000 + b"]" * 100_000
    assert check_package(deep).problems == [
        "The file is nested too deeply to be a transfer package."
    ]
    assert check_package(b"{not json").problems == ["The file is not JSON (line 1, column 2)."]
    assert check_package(b"\x80abc").problems == [
        "The file is not text in UTF-8: it is not a transfer package."
    ]


def test_refusals_are_in_spanish_on_the_page_and_nothing_is_written(world, package, auth, client):
    bad = changed(package, CASES["score 250"][0])
    coordinator = factories.make_user(Role.COORDINATOR, world["tx2"], locale="es")
    before = db.session.scalar(select(func.count()).select_from(Student))
    auth.login(coordinator)
    response = client.post(
        "/transfers/import",
        data={
            "package": (io.BytesIO(json.dumps(bad).encode()), "p.json"),
            "site_id": world["tx2"].id,
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "enrollments/0/units/0/best_test_percent: 250 es mayor que el máximo permitido, 100."
        in html
    )
    assert db.session.scalar(select(func.count()).select_from(Student)) == before


def test_credit_with_more_than_hundredths_is_refused_on_confirm(world, package, auth, client):
    bad = changed(package, lambda p: award(p).update(credit=0.333))
    auth.login(world["coord_tx"])
    response = client.post(
        "/transfers/confirm",
        data={"package": json.dumps(bad), "site_id": world["tx1"].id, "student": "auto"},
    )
    assert response.status_code == 409
    assert (
        "enrollments/0/credit_awards/0/credit: 0.333 has more than 2 decimals"
        in response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(TransferImport)) == 0


def test_credit_above_the_courses_is_refused_on_confirm(world, package, auth, client):
    bad = changed(package, lambda p: award(p).update(credit=2.0))
    auth.login(world["coord_tx"])
    response = client.post(
        "/transfers/confirm",
        data={"package": json.dumps(bad), "site_id": world["tx1"].id, "student": "auto"},
    )
    assert response.status_code == 409
    assert (
        "enrollments/0/credit_awards/0/credit: 2.0 is more than the course&#39;s credit (0.5 in US-TX)."
        in response.get_data(as_text=True)
    )
    assert db.session.scalar(select(func.count()).select_from(TransferImport)) == 0
