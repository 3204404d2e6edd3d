"""A certificate's addresses answer 304 to a copy that is still right, and a new validator once
it is revoked or replaced; its public page fragment is made once and equals a fresh one."""

from sqlalchemy import select

from app.certificates.documents import certificate_html
from app.certificates.models import Certificate
from app.certificates.public_page import public_certificate_html
from app.certificates.services import issue_certificate, revoke_certificate
from app.extensions import db
from tests.certificates.helpers import awarded
from tests.query_counter import count_queries

JSON = {"Accept": "application/json"}


def _issued(world, **student) -> Certificate:
    cert = issue_certificate(awarded(world, **student), world["coord_tx"])
    db.session.commit()
    return cert


def _revalidated(client, url, etag, **headers):
    return client.get(url, headers={"If-None-Match": etag, **headers})


def test_public_answers_are_revalidated_and_change_when_the_certificate_is_revoked(
    world, auth, client
):
    cert = _issued(world)
    answers = [
        (f"/verify/{cert.code}", JSON),
        (f"/verify/{cert.code}/credential.json", {}),
        (f"/verify/{cert.code}/credential.jwt", {}),
    ]
    etags = {}
    for url, headers in answers:
        first = client.get(url, headers=headers)
        assert first.status_code == 200, url
        assert first.headers["Cache-Control"] == "public, no-cache", url
        etag = first.headers["ETag"]
        assert etag.startswith('"'), url  # strong: these bytes are the same every time
        again = _revalidated(client, url, etag, **headers)
        assert again.status_code == 304 and again.data == b"", url
        assert (
            again.headers["ETag"] == etag and again.headers["Cache-Control"] == "public, no-cache"
        )
        assert client.get(url, headers=headers).data == first.data, url
        etags[url] = etag
    assert len(set(etags.values())) == 3  # each representation its own validator

    auth.login(world["coord_tx"])
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "Issued to the wrong student"})
    auth.logout()
    for url, headers in answers:
        after = _revalidated(client, url, etags[url], **headers)
        assert after.status_code == 200, url
        assert after.headers["ETag"] != etags[url], url
    report = client.get(f"/verify/{cert.code}", headers=JSON).get_json()
    assert report["status"] == "revoked"


def test_the_page_is_revalidated_per_viewer_and_shows_a_revocation_at_once(world, auth, client):
    cert = _issued(world)
    url = f"/verify/{cert.code}"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # its time stamp and CSRF token differ each time
    again = _revalidated(client, url, etag)
    assert again.status_code == 304 and again.data == b""
    # Compressed, the tag carries the coding (Flask-Compress); sent back, it still matches.
    compressed = client.get(url, headers={"Accept-Encoding": "br"})
    assert compressed.headers["Content-Encoding"] == "br"
    assert compressed.headers["ETag"].endswith(':br"')
    assert _revalidated(client, url, compressed.headers["ETag"]).status_code == 304

    spanish = client.get(url, headers={"If-None-Match": etag, "Accept-Language": "es"})
    assert spanish.status_code == 200 and spanish.headers["ETag"] != etag  # another page
    auth.login(world["coord_tx"])
    signed_in = _revalidated(client, url, etag)
    assert signed_in.status_code == 200 and world["coord_tx"].given_name in signed_in.text
    mine = signed_in.headers["ETag"]
    assert _revalidated(client, url, mine).status_code == 304
    client.post(f"/certificates/{cert.id}/revoke", data={"reason": "Wrong course"})
    revoked = _revalidated(client, url, mine)
    assert revoked.status_code == 200 and 'data-status="revoked"' in revoked.text
    assert "Wrong course" in revoked.text  # the flash of the revocation, then the page
    assert _revalidated(client, url, revoked.headers["ETag"]).status_code == 304


def test_a_replacement_changes_the_validators_of_both_certificates(world, auth, client):
    award = awarded(world)
    old = issue_certificate(award, world["coord_tx"])
    revoke_certificate(old, world["coord_tx"], "Printed with the wrong site")
    db.session.commit()
    before = {
        kind: client.get(f"/verify/{old.code}", headers=headers).headers["ETag"]
        for kind, headers in (("json", JSON), ("html", {}))
    }
    auth.login(world["coord_tx"])
    assert client.post(f"/certificates/awards/{award.id}/issue").status_code == 302
    auth.logout()
    new = db.session.scalars(
        select(Certificate).where(Certificate.credit_award_id == award.id, Certificate.id != old.id)
    ).one()
    json_after = _revalidated(client, f"/verify/{old.code}", before["json"], **JSON)
    assert json_after.status_code == 200 and json_after.get_json()["replaced_by"]["serial"]
    html_after = _revalidated(client, f"/verify/{old.code}", before["html"])
    assert html_after.status_code == 200 and new.serial in html_after.text
    assert client.get(f"/verify/{new.code}", headers=JSON).get_json()["replaces"]


def test_the_public_fragment_is_made_once_and_equals_a_fresh_render(world, client, app):
    cert = _issued(world, msix_id="123456789012")
    with app.test_request_context():
        fresh = certificate_html(cert, public=True)
        kept = public_certificate_html(cert)
        assert kept == fresh
        assert public_certificate_html(cert) is kept  # not made again
        assert "123456789012" in certificate_html(cert) and "123456789012" not in kept
    page = client.get(f"/verify/{cert.code}").text
    assert str(fresh) in page
    other = _issued(world)
    with app.test_request_context():
        assert public_certificate_html(other) != kept and other.serial in public_certificate_html(
            other
        )


def test_a_revalidated_public_answer_asks_the_database_once_and_makes_nothing(world, client):
    cert = _issued(world)
    url = f"/verify/{cert.code}/credential.jwt"
    etag = client.get(url).headers["ETag"]
    with count_queries() as statements:
        assert _revalidated(client, url, etag).status_code == 304
    assert len(statements) == 1, statements  # the certificate: nothing more is loaded


def test_a_students_own_downloads_stay_private_and_answer_304(world, auth, client):
    cert = _issued(world)
    auth.login(cert.student.user)
    for url in (
        f"/certificates/{cert.id}/certificate.pdf",
        f"/certificates/{cert.id}/credential.json",
        f"/certificates/{cert.id}/credential.jwt",
    ):
        first = client.get(url)
        assert first.status_code == 200, url
        assert first.headers["Cache-Control"] == "private, no-cache", url
        etag = first.headers["ETag"]
        again = _revalidated(client, url, etag)
        assert again.status_code == 304 and again.data == b"", url
        assert again.headers["Cache-Control"] == "private, no-cache"
    pdf_etag = client.get(f"/certificates/{cert.id}/certificate.pdf").headers["ETag"]
    auth.logout()
    # Someone else holding the validator learns nothing: the access check comes first.
    auth.login(world["student_tx2"].user)
    refused = _revalidated(client, f"/certificates/{cert.id}/certificate.pdf", pdf_etag)
    assert refused.status_code == 403 and refused.headers["Cache-Control"] == "no-store"
