"""Each race of issue 10, fired for real at a live gunicorn (two workers), many times over.

Every trial asserts: no 500, no duplicate (one current award, one valid certificate per award,
one attempt or answer per double submit), no lost update (the stored grade is the one a teacher
was told was saved, and the audit trail says the same).
"""

from datetime import date
from functools import partial

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.certificates.models import Certificate, CertificateJob, JobStatus
from app.courses.models import Section
from app.credits.models import CreditAward
from app.credits.services import award_credit
from app.extensions import db
from app.learning.models import Answer, Attempt, AttemptStatus
from app.learning.scoring import save_response
from app.learning.services import approve_unit_test
from tests import factories
from tests.concurrency.harness import TRIALS, at_once, hidden_value, passed_enrollment, tally

pytestmark = pytest.mark.own_databases  # gunicorn on a database of its own

OK_OR_CONFLICT = {200, 302, 303, 409}


def fresh(stmt):
    """A query answered by the database as it is now (the seeding session holds no snapshot)."""
    db.session.rollback()
    value = db.session.scalar(stmt)
    db.session.rollback()
    return value


def server_errors(*responses) -> int:
    return sum(r.status_code >= 500 for r in responses)


@pytest.fixture(scope="module")
def coordinators(live):
    return live.actor(live.world["coord_tx"]), live.actor(live.world["coord2_tx"])


@pytest.fixture(scope="module")
def teachers(live):
    return live.actor(live.world["teacher_tx1"]), live.actor(live.world["teacher2_tx1"])


def test_two_coordinators_award_one_credit(live, coordinators):
    for _trial in range(TRIALS):
        enrollment = passed_enrollment(live.world, live.world["tx1"])
        db.session.commit()
        path = f"/credits/enrollments/{enrollment.id}/award"
        responses = at_once(*(partial(a.post, path) for a in coordinators))
        current = fresh(
            select(func.count())
            .select_from(CreditAward)
            .where(CreditAward.enrollment_id == enrollment.id, CreditAward.superseded_at.is_(None))
        )
        tally("award credit ×2", duplicates=max(0, current - 1), errors=server_errors(*responses))
        assert {r.status_code for r in responses} <= {302, 409}, [r.status_code for r in responses]
        assert sorted(r.status_code for r in responses)[0] == 302
        assert current == 1


def _valid_certificates(award_id: int) -> int:
    return fresh(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.credit_award_id == award_id, Certificate.revoked_at.is_(None))
    )


def _revoked_in(enrollment_ids) -> int:
    return fresh(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.enrollment_id.in_(enrollment_ids), Certificate.revoked_at.is_not(None))
    )


def test_two_coordinators_issue_one_certificate(live, coordinators):
    for _trial in range(TRIALS):
        enrollment = passed_enrollment(live.world)
        award = award_credit(enrollment, live.world["coord_tx"])
        db.session.commit()
        path = f"/certificates/awards/{award.id}/issue"
        responses = at_once(*(partial(a.post, path) for a in coordinators))
        valid = _valid_certificates(award.id)
        revoked = _revoked_in([enrollment.id])
        tally(
            "issue certificate ×2",
            duplicates=max(0, valid - 1) + revoked,
            errors=server_errors(*responses),
        )
        assert {r.status_code for r in responses} <= {302, 303}, [r.status_code for r in responses]
        assert (valid, revoked) == (1, 0)


def test_a_single_issue_races_the_bulk_job(live, coordinators):
    single, bulk = coordinators
    for _trial in range(TRIALS):
        site = factories.make_site("US-TX")
        enrollments = [passed_enrollment(live.world, site) for _ in range(2)]
        awards = [award_credit(e, live.world["coord_tx"]) for e in enrollments]
        db.session.commit()
        responses = at_once(
            partial(single.post, f"/certificates/awards/{awards[0].id}/issue"),
            partial(bulk.post, "/certificates/issue-pending", {"site": str(site.id)}),
        )
        valid = [_valid_certificates(a.id) for a in awards]
        revoked = _revoked_in([e.id for e in enrollments])
        job = fresh(select(CertificateJob).where(CertificateJob.site_id == site.id))
        tally(
            "single issue vs bulk job",
            duplicates=sum(max(0, v - 1) for v in valid) + revoked,
            errors=server_errors(*responses),
        )
        assert {r.status_code for r in responses} <= {302, 303}, [r.status_code for r in responses]
        assert valid == [1, 1] and revoked == 0
        assert job.status == JobStatus.DONE and job.failures == []
        # What the single issue certified left the job: its bar ends full, at what it issued.
        single_issued = int(responses[0].status_code == 302)
        assert job.issued == job.total == 2 - single_issued


def _submitted_test(world):
    student = factories.make_student(world["tx1"])
    enrollment = factories.make_enrollment(student, world["course"])
    return factories.make_submitted_test(enrollment.units[0])


def test_two_teachers_grade_one_attempt(live, teachers):
    for _trial in range(TRIALS):
        attempt = _submitted_test(live.world)
        open_item = next(a.item for a in attempt.answers if a.points is None)
        db.session.commit()
        path = f"/grading/attempts/{attempt.id}"
        versions = [hidden_value(t.get(path).text, "version") for t in teachers]
        scores = ["1", "2"]

        responses = at_once(
            *(
                partial(
                    teacher.post,
                    path,
                    {
                        "action": "grade",
                        "version": version,
                        f"score-{open_item.id}": score,
                        f"feedback-{open_item.id}": f"Teacher {score}",
                    },
                )
                for teacher, version, score in zip(teachers, versions, scores, strict=True)
            )
        )
        codes = [r.status_code for r in responses]
        db.session.rollback()
        stored = db.session.get(
            Answer, next(a.id for a in attempt.answers if a.item_id == open_item.id)
        )
        db.session.refresh(stored)
        graded = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "attempt",
                AuditEvent.object_id == attempt.id,
                AuditEvent.action == "attempt.graded",
            )
        ).all()
        fresh_attempt = db.session.get(Attempt, attempt.id)
        db.session.refresh(fresh_attempt)
        winners = [s for s, c in zip(scores, codes, strict=True) if c == 302]
        lost = int(len(winners) != 1 or stored.points != float(winners[0]) or len(graded) != 1)
        tally("grade one attempt ×2", lost=lost, errors=server_errors(*responses))
        assert sorted(codes) == [302, 409], codes
        (winner,) = winners
        assert stored.points == float(winner) and stored.feedback == f"Teacher {winner}"
        assert fresh_attempt.manual_points == float(winner)
        expected = round(
            100
            * (fresh_attempt.auto_points + fresh_attempt.manual_points)
            / fresh_attempt.max_points,
            1,
        )
        assert fresh_attempt.percent == expected
        assert len(graded) == 1 and graded[0].data["items"][str(open_item.id)]["points"] == float(
            winner
        )
        loser_page = responses[codes.index(409)].text
        loser = scores[codes.index(409)]
        assert "Another teacher saved this test after you opened it" in loser_page
        assert f'name="score-{open_item.id}"' in loser_page and f'value="{loser}"' in loser_page
        assert f"Saved now: {winner} of 2 points" in loser_page
        db.session.rollback()


def _open_test(world, answered: bool = True):
    student = factories.make_student(world["tx1"])
    enrollment = factories.make_enrollment(student, world["course"])
    progress = enrollment.units[0]
    attempt = Attempt(
        unit_progress=progress, section=Section.TEST, number=1, site_id=student.site_id
    )
    db.session.add(attempt)
    db.session.flush()
    if answered:
        for item, response in zip(
            progress.unit.items_in(Section.TEST), ("b", "12", "Six and six."), strict=True
        ):
            save_response(attempt, item, response)
    return student, progress, attempt


def test_a_test_handed_in_twice_at_once(live):
    for _trial in range(TRIALS):
        student, progress, attempt = _open_test(live.world)
        db.session.commit()
        actor = live.actor(student.user)
        path = f"/learn/attempts/{attempt.id}"
        responses = at_once(*[partial(actor.post, path, {"action": "hand_in"})] * 2)
        answers = fresh(
            select(func.count()).select_from(Answer).where(Answer.attempt_id == attempt.id)
        )
        status = fresh(select(Attempt.status).where(Attempt.id == attempt.id))
        tally("hand in ×2", duplicates=max(0, answers - 3), errors=server_errors(*responses))
        assert {r.status_code for r in responses} <= OK_OR_CONFLICT, [
            r.status_code for r in responses
        ]
        assert answers == 3 and status == AttemptStatus.SUBMITTED


def test_a_test_started_twice_at_once(live):
    for _trial in range(TRIALS):
        student = factories.make_student(live.world["tx1"])
        progress = factories.make_enrollment(student, live.world["course"]).units[0]
        approve_unit_test(progress, live.world["teacher_tx1"])
        db.session.commit()
        actor = live.actor(student.user)
        path = f"/learn/units/{progress.id}/test/start"
        responses = at_once(*[partial(actor.post, path)] * 2)
        tests = fresh(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.unit_progress_id == progress.id, Attempt.section == Section.TEST)
        )
        tally("start test ×2", duplicates=max(0, tests - 1), errors=server_errors(*responses))
        assert {r.status_code for r in responses} <= OK_OR_CONFLICT, [
            r.status_code for r in responses
        ]
        assert tests == 1


def test_a_paper_score_sent_twice_at_once(live, teachers):
    teacher = teachers[0]
    for _trial in range(TRIALS):
        student = factories.make_student(live.world["tx1"])
        progress = factories.make_enrollment(student, live.world["course"]).units[0]
        db.session.commit()
        path = f"/grading/units/{progress.id}/paper"
        seen = hidden_value(teacher.get(path).text, "seen_attempts")
        form = {"test_percent": "80", "taken_on": date.today().isoformat(), "seen_attempts": seen}
        responses = at_once(*[partial(teacher.post, path, form)] * 2)
        tests = fresh(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.unit_progress_id == progress.id, Attempt.section == Section.TEST)
        )
        tally("paper score ×2", duplicates=max(0, tests - 1), errors=server_errors(*responses))
        assert sorted(r.status_code for r in responses) in (
            [302, 409],
            [302, 302][:0] or [302, 409],
        )
        assert tests == 1


def test_parallel_autosaves_of_one_answer(live):
    for _trial in range(TRIALS):
        student, progress, attempt = _open_test(live.world, answered=False)
        db.session.commit()
        item = progress.unit.items_in(Section.TEST)[2]
        actors = [live.actor(student.user) for _ in range(2)]  # two tabs, two devices
        texts = [f"Answer from device {n}" for n in range(4)]
        path = f"/learn/attempts/{attempt.id}/autosave"
        responses = at_once(
            *(
                partial(actors[n % 2].post, path, json={"item_id": item.id, "response": text})
                for n, text in enumerate(texts)
            )
        )
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)).all()
        saved = [t for t, r in zip(texts, responses, strict=True) if r.status_code == 200]
        db.session.rollback()
        tally(
            "autosave ×4",
            duplicates=max(0, len(rows) - 1),
            lost=int(not saved),
            errors=server_errors(*responses),
        )
        assert {r.status_code for r in responses} <= {200, 409}, [r.status_code for r in responses]
        assert len(rows) == 1 and saved and rows[0].response in saved
