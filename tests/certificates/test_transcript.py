"""The official transcript: one signed CLR 2.0 ClrCredential per student, JSON and PDF."""

import json
from io import BytesIO

from pypdf import PdfReader

from app.audit.models import AuditEvent
from app.certificates.integrity import proofs_of, verify_proof
from app.certificates.services import issue_certificate
from app.certificates.signing import load_private_key
from app.credits.services import award_credit
from app.extensions import db
from tests import factories
from tests.certificates.helpers import awarded, pdf_text
from tests.query_counter import count_queries


def login(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def two_courses(world):
    """A certified full credit, and a second course whose partial award was superseded."""
    full = awarded(world, given_name="Rosa", family_name="Campos", msix_id="123456789012")
    cert = issue_certificate(full, world["coord_tx"])
    student = full.enrollment.student
    other = factories.make_course_version()
    enrollment = factories.make_enrollment(student, other)
    for progress in enrollment.units[:2]:
        factories.pass_unit(progress, open_points=1.0)
    first = award_credit(enrollment, world["coord_tx"])
    factories.pass_unit(enrollment.units[2], open_points=1.0)
    newer = award_credit(enrollment, world["coord_tx"])
    db.session.flush()
    return student, cert, first, newer


def test_staff_download_a_signed_clr_with_every_course(world, client):
    student, cert, first, newer = two_courses(world)
    login(client, world["coord_tx"])
    response = client.get(f"/certificates/students/{student.id}/transcript.json")
    assert response.status_code == 200
    clr = response.get_json()
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    key = load_private_key().public_key()
    assert [p["cryptosuite"] for p in clr["proof"]] == ["eddsa-rdfc-2022"]
    assert all(verify_proof(clr, p, key) for p in proofs_of(clr))
    embedded = clr["credentialSubject"]["verifiableCredential"]
    assert len(embedded) == 2
    assert embedded[0] == cert.credential  # the certificate's own credential, as signed
    partial = embedded[1]["credentialSubject"]
    assert all(verify_proof(embedded[1], p, key) for p in proofs_of(embedded[1]))
    units = [r["value"] for r in partial["result"] if r["resultDescription"].endswith("#units")]
    assert units == [f"{newer.units_passed}/{newer.unit_count}"]  # the newest partial award
    assert newer.units_passed == first.units_passed + 1
    assert partial["narrative"].startswith("Partial credit: 3 of")
    sites = [r["value"] for r in partial["result"] if r["resultDescription"].endswith("#sites")]
    assert sites == [f"1–3: {world['tx1'].name} (US-TX)"]
    assert "123456789012" not in json.dumps(clr)
    changed = {**clr, "name": clr["name"] + " "}
    assert not verify_proof(changed, changed["proof"][0], key)
    events = db.session.query(AuditEvent).filter_by(action="transcript.issued").all()
    assert [e.student_id for e in events] == [student.id]


def test_the_pdf_is_bilingual_and_carries_the_signed_transcript(world, client):
    student, *_ = two_courses(world)
    login(client, world["coord_tx"])
    response = client.get(f"/certificates/students/{student.id}/transcript.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data, layout=False).split())
    assert "Official transcript" in text and "Certificado oficial de estudios" in text
    assert "Rosa Campos" in text and "partial" in text and "parcial" in text
    attached = json.loads(PdfReader(BytesIO(response.data)).attachments["transcript.json"][0])
    assert attached["type"] == ["VerifiableCredential", "ClrCredential"]


def test_no_transcript_without_credit(world, client):
    login(client, world["coord_tx"])
    response = client.get(f"/certificates/students/{world['student_tx1'].id}/transcript.json")
    assert response.status_code == 409


def test_transcript_queries_do_not_grow_with_courses(world, client):
    student, *_ = two_courses(world)
    login(client, world["coord_tx"])

    def uncertified_course():  # its credential is signed for the transcript
        more = factories.make_enrollment(student, factories.make_course_version())
        for progress in more.units[:1]:
            factories.pass_unit(progress, open_points=1.0)
        award_credit(more, world["coord_tx"])
        db.session.commit()  # each request starts its own transaction, as in production

    uncertified_course()
    with count_queries() as few:
        client.get(f"/certificates/students/{student.id}/transcript.json")
    uncertified_course()
    with count_queries() as many:
        client.get(f"/certificates/students/{student.id}/transcript.json")
    assert len(many) == len(few)
