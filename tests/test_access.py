"""Access truth table: every route in the URL map, every role, objects of one site (TX site 1).

Each cell is the outcome class a role gets: "ok" (the view ran: 2xx, 3xx or a 400 from its own
validation), "login" (sent to sign in / 401), or "deny" (403 or 404). A new route fails
`test_every_route_is_in_the_table` until it is given a row here.
"""

from datetime import date
from hashlib import sha256

import pytest

from app.auth.models import TokenPurpose
from app.auth.tokens import issue_token
from app.certificates.models import CertificateJob, JobStatus
from app.certificates.status_list import refresh_status_list
from app.common import utcnow
from app.contracts.services import save_contract
from app.credits.services import award_credit
from app.enrollments.models import UnitProgress
from app.extensions import db
from app.guardians.services import link_guardian
from app.learning.approvals import request_approval
from app.moves.models import InboundTransfer
from app.moves.services import report_move
from app.notifications.models import Event
from app.notifications.services import notify
from app.packets.models import PacketJob
from app.packets.services import packet_path
from app.prior_courses.services import add_prior_course
from app.records.exports import export_path
from app.records.models import ExportJob
from app.rosters.course_map import map_roster_course
from app.rosters.models import RosterJob
from app.transfers.models import TrustedIssuer
from app.transfers.package import build_package
from app.users.models import Role
from app.users.services import create_api_token
from tests import factories

ROLES = (
    "anonymous",
    "student",  # the student who owns the objects
    "other_student",  # a student at another TX site
    "teacher",  # teacher at the objects' site
    "other_teacher",  # teacher at another TX site
    "coordinator",  # US-TX state coordinator
    "other_coordinator",  # US-ND state coordinator
    "admin",
    "guardian",  # a guardian linked to the student who owns the objects
    "other_guardian",  # a guardian linked to the other TX student
)

OK, LOGIN, DENY = "ok", "login", "deny"


def row(
    anonymous=LOGIN,
    student=DENY,
    other_student=DENY,
    teacher=DENY,
    other_teacher=DENY,
    coordinator=DENY,
    other_coordinator=DENY,
    admin=DENY,
    guardian=DENY,
    other_guardian=DENY,
):
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                student,
                other_student,
                teacher,
                other_teacher,
                coordinator,
                other_coordinator,
                admin,
                guardian,
                other_guardian,
            ),
            strict=True,
        )
    )


EVERYONE = row(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = row(LOGIN, OK, OK, OK, OK, OK, OK, OK, OK, OK)
OWN_STUDENT = row(student=OK)
ANY_STUDENT = row(student=OK, other_student=OK)
ANY_STAFF = row(teacher=OK, other_teacher=OK, coordinator=OK, other_coordinator=OK, admin=OK)
STAFF_IN_SCOPE = row(teacher=OK, coordinator=OK, admin=OK)
ANY_COORDINATOR = row(coordinator=OK, other_coordinator=OK, admin=OK)
COORDINATOR_IN_SCOPE = row(coordinator=OK, admin=OK)
ADMIN = row(admin=OK)
# The API answers 401 without a token; with one, lists are scoped (so always "ok").
API_LIST = row(anonymous=LOGIN, **{r: OK for r in ROLES[1:]})
API_STUDENT_OBJECT = row(student=OK, teacher=OK, coordinator=OK, admin=OK)
OWN_JOB = row(coordinator=OK, admin=OK)  # the state coordinator started it; admins see all
OWN_EXPORT = row(teacher=OK, admin=OK)  # the site's teacher started it; admins see all
OWNER_OR_STAFF_IN_SCOPE = row(student=OK, teacher=OK, coordinator=OK, admin=OK)
# The student, staff in scope, and the student's own guardian (read-only).
OWNER_GUARDIAN_OR_STAFF = row(student=OK, teacher=OK, coordinator=OK, admin=OK, guardian=OK)
ANY_GUARDIAN = row(guardian=OK, other_guardian=OK)
OWN_GUARDIAN = row(guardian=OK)
# A move another installation sent to Texas: staff of every Texas site, Texas coordinators.
STAFF_IN_DESTINATION = row(teacher=OK, other_teacher=OK, coordinator=OK, admin=OK)
# Other installations' requests: a session is no credential, only an HTTP message signature.
PEER_SIGNED = row(*[LOGIN] * len(ROLES))

TABLE = {
    "main.index": EVERYONE,  # sends each role to its start page, anonymous to sign in
    "main.healthz": EVERYONE,
    "main.manifest": EVERYONE,  # the installable app's manifest
    "main.service_worker": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": SIGNED_IN,
    "auth.set_language": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.enter_code": EVERYONE,
    "auth.set_password": EVERYONE,  # whoever holds the one-time code (the student's own here)
    "users.change_own_password": SIGNED_IN,
    "users.profile": SIGNED_IN,
    "users.save_preferences": SIGNED_IN,
    "users.create_token": SIGNED_IN,
    "users.revoke_token": OWN_STUDENT,  # the token belongs to the student
    "students.index": ANY_STAFF,
    "students.new": ANY_STAFF,
    "students.detail": STAFF_IN_SCOPE,
    "students.edit": STAFF_IN_SCOPE,
    "students.invite": STAFF_IN_SCOPE,
    "students.sign_in_sheet_pdf": STAFF_IN_SCOPE,
    "courses.index": ANY_STAFF,
    "courses.detail": ANY_STAFF,
    "courses.lesson": ANY_STAFF,
    "enrollments.assign": ANY_STAFF,
    "enrollments.withdraw": STAFF_IN_SCOPE,
    "learning.dashboard": ANY_STUDENT,
    "learning.enrollment": OWN_STUDENT,
    "learning.unit": OWN_STUDENT,
    "learning.lesson": OWN_STUDENT,
    "learning.read_lesson": OWN_STUDENT,
    "learning.practice": OWN_STUDENT,
    "learning.practice_autosave": OWN_STUDENT,
    "learning.test": OWN_STUDENT,
    "learning.start_test": OWN_STUDENT,
    "learning.autosave": OWN_STUDENT,
    "learning.outbox_hand_in": OWN_STUDENT,  # a hand-in sent from the phone's outbox
    "learning.offline_pages": OWN_STUDENT,
    "learning.submit": OWN_STUDENT,
    "learning.result": OWN_STUDENT,
    "learning.approve_test": STAFF_IN_SCOPE,
    "learning.ask_approval": OWN_STUDENT,
    "grading.gradebook": ANY_STAFF,  # each sees the students of their own scope
    "grading.approvals": ANY_STAFF,  # each sees the requests of their own scope
    "grading.queue": ANY_STAFF,
    "grading.attempt": STAFF_IN_SCOPE,
    "grading.paper": STAFF_IN_SCOPE,
    "grading.paper_sheet": STAFF_IN_SCOPE,  # the answer sheet's QR code: sign-in and scope
    "packets.index": ANY_STAFF,
    "packets.unit_packet": STAFF_IN_SCOPE,
    "packets.start_batch": ANY_STAFF,  # each prints packets for their own students only
    "packets.job": OWN_EXPORT,
    "packets.job_progress": OWN_EXPORT,
    "packets.job_pdf": OWN_EXPORT,
    "credits.index": ANY_COORDINATOR,
    "credits.conversions": EVERYONE,
    "credits.enrollment": COORDINATOR_IN_SCOPE,
    "credits.award": COORDINATOR_IN_SCOPE,
    "certificates.index": ANY_COORDINATOR,
    "certificates.issue_pending": ANY_COORDINATOR,
    "certificates.issue": COORDINATOR_IN_SCOPE,
    "certificates.detail": OWNER_GUARDIAN_OR_STAFF,
    "certificates.pdf": OWNER_GUARDIAN_OR_STAFF,
    "certificates.credential": OWNER_GUARDIAN_OR_STAFF,
    "certificates.credential_jwt": OWNER_GUARDIAN_OR_STAFF,
    "certificates.transcript_json": STAFF_IN_SCOPE,
    "certificates.transcript_pdf_download": STAFF_IN_SCOPE,
    "certificates.revoke": COORDINATOR_IN_SCOPE,
    "certificates.mine": ANY_STUDENT,
    "certificates.job": OWN_JOB,
    "certificates.job_progress": OWN_JOB,
    "certificates.job_zip": OWN_JOB,
    "transfers.export": STAFF_IN_SCOPE,
    "records.transfer_document": STAFF_IN_SCOPE,
    "transfers.upload": ANY_STAFF,
    "transfers.confirm": ANY_STAFF,
    "transfers.issuers": ADMIN,
    "moves.incoming": ANY_STAFF,  # each sees the notices to their own site or state
    "moves.student": STAFF_IN_SCOPE,
    "moves.report": STAFF_IN_SCOPE,
    "moves.cancel": STAFF_IN_SCOPE,
    "moves.receive": row(other_coordinator=OK, admin=OK),  # the notice goes to US-ND
    "prior_courses.index": STAFF_IN_SCOPE,
    "prior_courses.add": COORDINATOR_IN_SCOPE,
    "prior_courses.delete": COORDINATOR_IN_SCOPE,
    "records.course_history": STAFF_IN_SCOPE,
    "records.start_export": ANY_STAFF,  # each exports the students in their own scope
    "records.export_job": OWN_EXPORT,
    "records.export_progress": OWN_EXPORT,
    "records.export_download": OWN_EXPORT,
    "rosters.index": ANY_COORDINATOR,
    "rosters.export": ANY_COORDINATOR,
    "rosters.courses": ADMIN,
    "rosters.delete_course_map": ADMIN,
    "rosters.job": OWN_JOB,
    # Reports (DOMAIN.md: reports are a coordinator's): every coordinator sees their own scope's
    # figures, an admin everyone's; teachers and students are refused.
    "reports.index": ANY_COORDINATOR,
    "reports.progress": ANY_COORDINATOR,
    "reports.progress_csv": ANY_COORDINATOR,
    "reports.attention": ANY_COORDINATOR,
    "reports.attention_csv": ANY_COORDINATOR,
    "reports.program": ANY_COORDINATOR,
    "reports.program_csv": ANY_COORDINATOR,
    "verify.lookup": EVERYONE,
    "verify.certificate": EVERYONE,
    "verify.credential_public": EVERYONE,
    "verify.credential_jwt_public": EVERYONE,
    "verify.issuer_jwt_key": EVERYONE,
    "verify.issuer": EVERYONE,
    "verify.jwks": EVERYONE,
    "verify.issuer_key": EVERYONE,
    "verify.issuer_keys": EVERYONE,
    "verify.did_json": EVERYONE,
    "verify.status_list": EVERYONE,
    "transfers.send_move": STAFF_IN_SCOPE,
    "transfers.receive_inbound": STAFF_IN_DESTINATION,
    "transfers.inbound_review": STAFF_IN_DESTINATION,
    "peer.receive_move": PEER_SIGNED,
    "contracts.mine": ANY_STUDENT,
    "contracts.student": OWNER_OR_STAFF_IN_SCOPE,
    "contracts.edit": STAFF_IN_SCOPE,
    "contracts.pdf": OWNER_OR_STAFF_IN_SCOPE,
    "contracts.acknowledge": OWN_STUDENT,  # the student's own; staff record a guardian's on paper
    "admin.users": ADMIN,
    "admin.new_user": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.reactivate_user": ADMIN,
    "credits.grade_report_page": OWNER_GUARDIAN_OR_STAFF,
    "credits.grade_report_download": OWNER_GUARDIAN_OR_STAFF,
    "credits.my_grade_report": ANY_STUDENT,
    "admin.signing_keys": ADMIN,
    "admin.rotate_keys": ADMIN,
    "admin.sites": ADMIN,
    "admin.new_site": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.edit_site": ADMIN,
    "admin.audit": ADMIN,
    "admin.audit_export": ADMIN,
    "admin.courses": ADMIN,
    "transfers.remove_issuer": ADMIN,
    "notifications.index": SIGNED_IN,
    "notifications.read": OWN_STUDENT,  # the notification is the student's; others get 404
    "notifications.read_all": SIGNED_IN,
    "notifications.preferences": SIGNED_IN,
    "family.index": ANY_GUARDIAN,
    "family.student": OWN_GUARDIAN,
    "family.invite": STAFF_IN_SCOPE,
    "family.unlink": STAFF_IN_SCOPE,
    "api_me.me": API_LIST,
    "api_students.list_students": API_LIST,
    "api_students.get_student": API_STUDENT_OBJECT,
    "api_courses.list_courses": API_LIST,
    "api_courses.get_course": API_LIST,
    "api_enrollments.list_enrollments": API_LIST,
    "api_enrollments.get_enrollment": API_STUDENT_OBJECT,
    "api_enrollments.get_result": API_STUDENT_OBJECT,
    "api_enrollments.list_attempts": API_STUDENT_OBJECT,
}

# Documentation routes that need no row: static files and the API's own docs.
UNLISTED = {"static", "api-docs.openapi_json"}


def routes(app):
    return {rule.endpoint: rule for rule in app.url_map.iter_rules()}


def test_every_route_is_in_the_table(app):
    assert set(routes(app)) - UNLISTED == set(TABLE)


@pytest.fixture
def objects(app, world, tmp_path, monkeypatch):
    return make_objects(app, world, tmp_path, monkeypatch)


def make_objects(app, world, tmp_path, monkeypatch):
    """Objects of one student at TX site 1, reached by every route's URL parameters; (users by
    role, URL parameters). Also what tests/browser/test_every_page_accessible.py visits."""
    student = world["student_tx1"]
    enrollment = factories.make_enrollment(student, world["course"], world["teacher_tx1"])
    progress = enrollment.units[0]
    attempt = factories.make_submitted_test(progress)
    token, _secret = create_api_token(student.user, "phone")
    _sign_in, sign_in_code = issue_token(student.user, TokenPurpose.INVITE, world["teacher_tx1"])
    factories.pass_unit(enrollment.units[1])
    award = award_credit(enrollment, world["coord_tx"])
    cert = factories.make_certificate(award, world["coord_tx"])
    refresh_status_list()  # what the first real issue does: the list is published from then on
    job = CertificateJob(
        created_by_id=world["coord_tx"].id,
        status=JobStatus.DONE,
        total=1,
        issued=1,
        print_ids=[cert.print_id],
        finished_at=cert.issued_at,
    )
    db.session.add(job)
    roster_job = RosterJob(
        created_by_id=world["coord_tx"].id,
        file_name="tx.zip",
        status="failed",
        phase="done",
        problems=[["orgs.csv", 2, "type", "x"]],
        problem_count=1,
    )
    db.session.add(roster_job)
    monkeypatch.setitem(app.config, "EXPORTS_DIR", str(tmp_path))
    export = ExportJob(
        created_by_id=world["teacher_tx1"].id,
        status=JobStatus.DONE,
        total=1,
        done=1,
        rows=0,
        sha256=sha256(b"").hexdigest(),
        finished_at=utcnow(),
    )
    db.session.add(export)
    db.session.flush()
    export_path(export).write_bytes(b"")
    monkeypatch.setitem(app.config, "PACKETS_DIR", str(tmp_path))
    packet_job = PacketJob(
        created_by_id=world["teacher_tx1"].id,
        status=JobStatus.DONE,
        sheets=[[progress.id, 2]],
        total=1,
        done=1,
        pages=8,
        finished_at=utcnow(),
    )
    db.session.add(packet_job)
    db.session.flush()
    packet_path(packet_job).write_bytes(b"%PDF-1.4")
    move = report_move(student, world["teacher_tx1"], "US-ND", None, date.today(), None)
    inbound = InboundTransfer(
        sender="https://nd.puente.example/issuer",
        sender_move_id=7,
        package_id="p",
        package=build_package(student),
        given_name="Eva",
        family_name="Luna",
        birth_year=2009,
        origin_site="Red River",
        origin_state="US-ND",
        destination_code="US-TX",
        move_date=date.today(),
    )
    db.session.add(inbound)
    prior = add_prior_course(
        student,
        world["coord_tx"],
        {"subject": "Matemáticas", "level": "secundaria", "year": 3, "sep_grade": 8.5},
    )
    save_contract(
        student,
        world["teacher_tx1"],
        {
            "mentor_id": world["teacher_tx1"].id,
            "weekly_hours": 2,
            "meeting_time": "Tuesdays 4 pm",
            "starts_on": date.today(),
            "courses": {enrollment.id: {"target": None, "units": {}}},
        },
    )
    trusted = TrustedIssuer(
        issuer="https://nd.puente.example/issuer",
        name="North Dakota",
        public_key_multibase="z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
        added_by_id=world["admin"].id,
    )
    db.session.add(trusted)
    db.session.flush()
    guardian = factories.make_user(Role.GUARDIAN)
    other_guardian = factories.make_user(Role.GUARDIAN)
    link, _code = link_guardian(student, world["teacher_tx1"], guardian.email, "", "")
    link_guardian(world["student_tx2"], world["teacher_tx2"], other_guardian.email, "", "")
    (notification,) = notify(
        Event.TEST_GRADED, [student.user], course_en="A", course_es="A", unit=1, percent=1.0
    )
    users = {
        "student": student.user,
        "other_student": world["student_tx2"].user,
        "teacher": world["teacher_tx1"],
        "other_teacher": world["teacher_tx2"],
        "coordinator": world["coord_tx"],
        "other_coordinator": world["coord_nd"],
        "admin": world["admin"],
        "guardian": guardian,
        "other_guardian": other_guardian,
    }
    params = {
        "notification_id": notification.id,
        "link_id": link.id,
        "student_id": student.id,
        "enrollment_id": enrollment.id,
        "unit_progress_id": progress.id,
        "attempt_id": attempt.id,
        "number": 1,
        "packet_job_id": packet_job.id,
        "position": 1,
        "version_id": world["course"].id,
        "lesson_id": world["course"].units[0].lessons[0].id,
        "token_id": token.id,
        "user_id": world["teacher_nd"].id,
        "award_id": award.id,
        "cert_id": cert.id,
        "code": cert.code,
        "job_id": job.id,
        "export_id": export.id,
        "move_id": move.id,
        "prior_course_id": prior.id,
        "name": "key-1",
        "purpose": "revocation",
        "jwk_name": "p256-1",
        "inbound_id": inbound.id,
        "sign_in_code": sign_in_code,
        "roster_job_id": roster_job.id,
        "site_id": world["tx1"].id,
        "issuer_id": trusted.id,
        "map_id": map_roster_course("SIS-ALG", world["course"].course.code, world["admin"]).id,
    }
    db.session.commit()  # as if saved earlier: a refused request rolls back its own work
    return users, params


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/login?next=" in location):
        return LOGIN
    if response.status_code in (403, 404):
        return DENY
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return OK


def request_as(app, rule, role, users, params):
    url_params = {name: params[name] for name in rule.arguments}
    client = app.test_client()
    headers = {}
    if role != "anonymous":
        user = users[role]
        if rule.endpoint.startswith("api_"):
            headers["Authorization"] = "Bearer " + create_api_token(user, "t")[1]
        else:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **url_params)
    method = "GET" if "GET" in rule.methods else "POST"
    return client.open(url, method=method, headers=headers, data={})


@pytest.mark.parametrize("endpoint", sorted(TABLE))
def test_route_access(app, objects, endpoint):
    users, params = objects
    rule = routes(app)[endpoint]
    actual = {role: outcome(request_as(app, rule, role, users, params)) for role in ROLES}
    assert actual == TABLE[endpoint]


# The gradebook and the approval queue are open to all staff, so their rows carry the check:
# each role sees the objects' student there exactly when it may see the student's record.
SEES_THE_STUDENT = {
    "teacher": True,
    "other_teacher": False,
    "coordinator": True,
    "other_coordinator": False,
    "admin": True,
}


@pytest.mark.parametrize("role", sorted(SEES_THE_STUDENT))
def test_gradebook_and_approval_queue_rows_are_checked_at_the_student(app, objects, role):
    users, params = objects
    progress = db.session.get(UnitProgress, params["unit_progress_id"])
    request_approval(progress.enrollment.units[2], users["student"])
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = users[role].get_id()
        session["_fresh"] = True
    gradebook = client.get("/grading/gradebook").get_data(as_text=True)
    approvals = client.get("/grading/approvals").get_data(as_text=True)
    student_link = f'href="/students/{params["student_id"]}"'
    assert (f'data-student="{params["student_id"]}"' in gradebook) == SEES_THE_STUDENT[role]
    assert (student_link in approvals) == SEES_THE_STUDENT[role]


REPORT_PAGES = sorted(e for e in TABLE if e.startswith("reports.") and e != "reports.index")


@pytest.mark.parametrize("endpoint", REPORT_PAGES)
def test_report_filters_hold_the_scope(app, objects, world, endpoint):
    """A coordinator cannot reach another site's or state's figures by changing a filter."""
    users, _params = objects
    rule = routes(app)[endpoint]
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint)
    cases = [
        ("other_coordinator", f"site={world['tx1'].id}", DENY),
        ("other_coordinator", "state=US-TX", DENY),
        ("coordinator", f"site={world['nd'].id}", DENY),
        ("coordinator", "state=US-ND", DENY),
        ("coordinator", f"site={world['tx2'].id}", OK),
        ("admin", "state=US-ND", OK),
    ]
    for role, query, expected in cases:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = users[role].get_id()
            session["_fresh"] = True
        assert rule.methods and outcome(client.get(f"{url}?{query}")) == expected, (role, query)
