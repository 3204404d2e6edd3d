"""Minimal disclosure: anyone with the code sees what a registrar needs, never the minor's
birth date, CURP or MSIX ID (the verify page, its JSON, the shareable credential)."""

from datetime import date

from app.certificates.services import issue_certificate, revoke_certificate
from app.extensions import db
from tests.certificates.helpers import awarded

BIRTH, CURP, MSIX = date(2010, 4, 17), "GOMA100417HCHRRN09", "987654321098"
JSON = {"Accept": "application/json"}


def _certificate(world):
    cert = issue_certificate(
        awarded(
            world, given_name="Ana", family_name="Gómez", birth_date=BIRTH, curp=CURP, msix_id=MSIX
        ),
        world["coord_tx"],
    )
    db.session.commit()
    return cert


def _no_private(text: str) -> None:
    for secret in (BIRTH.isoformat(), "17/04/2010", "04/17/2010", CURP, MSIX):
        assert secret not in text, secret


def test_the_verify_page_shows_what_a_registrar_needs_and_no_identifier(world, client):
    cert = _certificate(world)
    html = client.get(f"/verify/{cert.code}").get_data(as_text=True)
    _no_private(html)
    for shown in ("Ana Gómez", cert.serial, "75.0 %", "7.5", "0.5", world["tx1"].name, "Valid"):
        assert shown in html, shown
    assert cert.facts["dates"]["awarded"] in html


def test_the_verify_json_has_no_identifier(world, client):
    cert = _certificate(world)
    response = client.get(f"/verify/{cert.code}", headers=JSON)
    _no_private(response.get_data(as_text=True))
    student = response.get_json()["facts"]["student"]
    assert student == {"given_name": "Ana", "family_name": "Gómez"}
    revoke_certificate(cert, world["coord_tx"], "test")
    db.session.commit()
    _no_private(client.get(f"/verify/{cert.code}", headers=JSON).get_data(as_text=True))


def test_a_credential_with_identifiers_in_clear_is_not_given_out_publicly(world, client):
    cert = _certificate(world)
    identifiers = cert.credential["credentialSubject"]["identifier"]
    if any(i["identityType"] != "name" and not i["hashed"] for i in identifiers):
        refused = client.get(f"/verify/{cert.code}/credential.json")
        assert refused.status_code == 404
        _no_private(refused.get_data(as_text=True))
        assert "credential" not in client.get(f"/verify/{cert.code}", headers=JSON).get_json()


def test_a_credential_with_hashed_identifiers_is_shared(world, client):
    cert = _certificate(world)
    credential = dict(cert.credential)
    credential["credentialSubject"] = {
        **credential["credentialSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": "x",
            },
            {
                "type": "IdentityObject",
                "identityType": "ext:CURP",
                "hashed": True,
                "identityHash": "sha256$ab",
            },
        ],
    }
    cert.credential = credential
    db.session.commit()
    shared = client.get(f"/verify/{cert.code}/credential.json")
    assert shared.status_code == 200 and shared.get_json() == credential
    report = client.get(f"/verify/{cert.code}", headers=JSON).get_json()
    assert report["credential"].endswith(f"/verify/{cert.code}/credential.json")


def test_signed_in_staff_still_see_the_identifiers_on_the_certificate(world, auth, client):
    cert = _certificate(world)
    auth.login(world["coord_tx"])
    html = client.get(f"/certificates/{cert.id}").get_data(as_text=True)
    assert MSIX in html
