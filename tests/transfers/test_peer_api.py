"""Installations talk directly: a move sent over the signed API between two live servers, and
every request that is not a fresh, signed one from a trusted installation refused."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from http_message_signatures import HTTPMessageSigner
from http_message_signatures.algorithms import ED25519
from sqlalchemy import func, select

from app.certificates.signing import load_private_key
from app.extensions import db
from app.installation import key_id
from app.moves.models import InboundStatus, InboundTransfer, StudentMove
from app.moves.services import report_move
from app.notifications.models import Notification
from app.students.models import Student
from app.transfers.package import build_package
from app.users.models import User
from tests.installations import live_installation
from tests.transfers.journeys import seed_dakota, seed_texas

pytestmark = pytest.mark.own_databases


@pytest.fixture
def texas(tmp_path):
    with live_installation(tmp_path, "texas", csrf=False) as installation:
        yield installation


@pytest.fixture
def dakota(tmp_path):
    with live_installation(tmp_path, "dakota", csrf=False) as installation:
        yield installation


def signed_in(installation, email: str):
    client = installation.app.test_client()
    with installation.context():
        user = db.session.scalar(select(User).where(User.email == email))
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
    return client


def trust_each_other(texas, dakota, people) -> None:
    for here, there in ((texas, dakota), (dakota, texas)):
        document = requests.get(f"{there.url}/issuer", timeout=5).text
        response = signed_in(here, people[here.name]["admin"]).post(
            "/transfers/issuers", data={"document": document}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[-800:]


@pytest.fixture
def people(texas, dakota):
    people = {"texas": seed_texas(texas), "dakota": seed_dakota(dakota)}
    trust_each_other(texas, dakota, people)
    with texas.context():
        student = db.session.get(Student, people["texas"]["student_id"])
        teacher = db.session.scalar(select(User).where(User.email == people["texas"]["teacher"]))
        move = report_move(student, teacher, "US-ND", None, date.today(), "Sugar beet harvest.")
        db.session.commit()
        people["move_id"] = move.id
    return people


def inbound_rows(dakota) -> list[InboundTransfer]:
    with dakota.context():
        return list(db.session.scalars(select(InboundTransfer)))


def test_a_move_sent_directly_is_received_with_one_click(texas, dakota, people):
    teacher = signed_in(texas, people["texas"]["teacher"])
    record = teacher.get(f"/students/{people['texas']['student_id']}").get_data(as_text=True)
    assert "Send the record to Puente dakota" in record
    sent = teacher.post(f"/transfers/moves/{people['move_id']}/send")
    assert sent.status_code == 302
    # Sending again is harmless: the receiver keeps one incoming notice.
    assert teacher.post(f"/transfers/moves/{people['move_id']}/send").status_code == 302
    (inbound,) = inbound_rows(dakota)
    assert (inbound.given_name, inbound.birth_year, inbound.origin_state) == ("Rosa", 2009, "US-TX")
    with dakota.context():  # North Dakota's coordinators are told, on their notifications page
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.event, n.params["student_name"]) for n in notes] == [
            ("student_incoming", "Rosa Campos")
        ]
        assert notes[0].user.email == people["dakota"]["coordinator"]
    with texas.context():
        move = db.session.get(StudentMove, people["move_id"])
        assert move.sent_to == f"{dakota.url}/issuer" and move.sent_at is not None

    coordinator = signed_in(dakota, people["dakota"]["coordinator"])
    incoming = coordinator.get("/moves/incoming").get_data(as_text=True)
    assert "Campos, Rosa" in incoming and "2009" in incoming and "Mar 14, 2009" not in incoming
    assert "123456789012" not in incoming  # nothing of the record before receiving
    received = coordinator.post(
        f"/transfers/inbound/{inbound.id}/receive",
        data={f"i{inbound.id}-site_id": people["dakota"]["site_id"]},
    )
    assert received.status_code == 302
    page = coordinator.get(received.headers["Location"]).get_data(as_text=True)
    assert "Rosa Campos" in page and "Rio Grande Valley PASS Center" in page
    with dakota.context():
        (row,) = db.session.scalars(select(InboundTransfer))
        assert row.status == InboundStatus.RECEIVED
        student = db.session.get(Student, row.student_id)
        assert student.site_id == people["dakota"]["site_id"]
        assert student.msix_id == "123456789012"


def signed_request(installation, url: str, body: bytes, created=None, nonce="n-1"):
    """A request signed with `installation`'s key, ready to send (and to send again)."""
    request = requests.Request(
        "POST", url, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
    with installation.context():
        signer = HTTPMessageSigner(signature_algorithm=ED25519, key_resolver=_Key(installation))
        signer.sign(
            request,
            key_id=key_id(),
            created=created or datetime.now(UTC),
            nonce=nonce,
            tag="puente-peer",
            covered_component_ids=("@method", "@target-uri", "content-type"),
            body=body,
        )
    return request


class _Key:
    def __init__(self, installation):
        self.installation = installation

    def resolve_private_key(self, _key_id):
        with self.installation.context():
            return load_private_key()


def send(request) -> requests.Response:
    with requests.Session() as session:
        return session.send(request, timeout=10)


@pytest.fixture
def envelope(texas, people) -> bytes:
    with texas.context():
        student = db.session.get(Student, people["texas"]["student_id"])
        package = build_package(student)
    notice = {
        "id": people["move_id"],
        "destination_code": "US-ND",
        "move_date": date.today().isoformat(),
        "note": None,
    }
    return json.dumps({"type": "PuenteMoveNotice", "move": notice, "package": package}).encode()


def test_a_replayed_request_is_refused(texas, dakota, envelope):
    request = signed_request(texas, f"{dakota.url}/peer/v1/moves", envelope)
    assert send(request).status_code == 201
    replay = send(request)
    assert replay.status_code == 409 and "already received" in replay.json()["error"]
    assert len(inbound_rows(dakota)) == 1


def test_unsigned_changed_stale_misaddressed_and_untrusted_requests_are_refused(
    texas, dakota, envelope, tmp_path
):
    url = f"{dakota.url}/peer/v1/moves"
    unsigned = requests.post(
        url, data=envelope, timeout=10, headers={"Content-Type": "application/json"}
    )
    assert unsigned.status_code == 401
    changed = signed_request(texas, url, envelope, nonce="n-2")
    changed.body = envelope.replace(b'"Rosa"', b'"Rosi"')
    assert send(changed).status_code == 401
    stale = signed_request(
        texas, url, envelope, nonce="n-3", created=datetime.now(UTC) - timedelta(minutes=10)
    )
    assert send(stale).status_code == 401
    # Signed for Texas's own address, then sent to North Dakota: the target is not this one.
    misaddressed = signed_request(texas, f"{texas.url}/peer/v1/moves", envelope, nonce="n-4")
    misaddressed.url = url
    assert send(misaddressed).status_code == 401
    with live_installation(tmp_path, "stranger", csrf=False) as stranger:
        assert send(signed_request(stranger, url, envelope, nonce="n-5")).status_code == 401
    assert inbound_rows(dakota) == []


def test_a_package_that_is_not_the_senders_own_is_refused(texas, dakota, people, envelope):
    data = json.loads(envelope)
    data["package"]["student"]["given_name"] = "Forged"
    request = signed_request(texas, f"{dakota.url}/peer/v1/moves", json.dumps(data).encode())
    response = send(request)
    assert response.status_code == 400
    assert "The signature does not match" in response.json()["error"]
    with dakota.context():
        assert db.session.scalar(select(func.count()).select_from(InboundTransfer)) == 0


def test_a_record_already_here_at_another_site_is_chosen_on_the_review(texas, dakota, people):
    """One click never moves a record silently: when the package could continue a record the
    receiver has at another site, receiving shows the review and the user chooses."""
    from tests import factories

    with dakota.context():
        other = factories.make_site("US-ND", code="ND-FAR", name="Fargo Migrant Program")
        known = factories.make_student(
            other, with_user=False, given_name="Rosa", family_name="Campos", msix_id="123456789012"
        )
        db.session.commit()
        known_id, admin = known.id, people["dakota"]["admin"]
    signed_in(texas, people["texas"]["teacher"]).post(f"/transfers/moves/{people['move_id']}/send")
    (inbound,) = inbound_rows(dakota)
    client = signed_in(dakota, admin)
    site_id = people["dakota"]["site_id"]
    received = client.post(
        f"/transfers/inbound/{inbound.id}/receive", data={f"i{inbound.id}-site_id": site_id}
    )
    assert received.status_code == 302 and "/review" in received.headers["Location"]
    review = client.get(received.headers["Location"])
    html = review.get_data(as_text=True)
    assert review.status_code == 200 and "Review the transfer" in html
    assert (
        f'value="{known_id}"' in html
        and f'name="inbound_id" type="hidden" value="{inbound.id}"' in html
    )
    with dakota.context():
        assert db.session.get(Student, known_id).site_id != site_id  # nothing moved yet
    package = json.dumps(inbound.package)
    done = client.post(
        "/transfers/confirm",
        data={
            "package": package,
            "site_id": site_id,
            "student": str(known_id),
            "inbound_id": inbound.id,
        },
    )
    assert done.status_code == 302
    with dakota.context():
        assert db.session.get(Student, known_id).site_id == site_id
        assert db.session.get(InboundTransfer, inbound.id).status == InboundStatus.RECEIVED
