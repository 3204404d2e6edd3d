"""A job worker dies (SIGKILL) in the middle of a bulk certificate job: the other worker takes the
job over once its lease goes stale and finishes it; every award certified exactly once."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate, CertificateJob, JobStatus
from app.credits.services import award_credit
from app.extensions import db
from app.users.models import Role
from tests import factories
from tests.cluster.ports import wait_until

pytestmark = pytest.mark.own_databases  # the cluster's own PostgreSQL database

AWARDS = 15  # five chunks of three (JOB_CHUNK_SIZE in the instance folders' config.py)
TASK = "Executing app.certificates.tasks.issue_pending_task"


def pending_awards(cluster) -> list:
    """A new Texas site whose students each passed a unit and were awarded partial credit."""
    site = factories.make_site("US-TX")
    factories.make_user(Role.TEACHER, site)  # grades the units
    awards = []
    for _ in range(AWARDS):
        enrollment = factories.make_enrollment(
            factories.make_student(site), cluster.world["course"]
        )
        factories.pass_unit(enrollment.units[0], open_points=1.0)
        awards.append(award_credit(enrollment, cluster.world["coord_tx"]))
    db.session.commit()
    return site, awards


def job_now(job_id: int) -> CertificateJob:
    db.session.rollback()
    return db.session.get(CertificateJob, job_id, populate_existing=True)


def test_a_worker_killed_mid_job_leaves_it_to_the_other_worker(cluster):
    site, awards = pending_awards(cluster)
    coordinator = cluster.client("127.0.0.41")
    assert coordinator.sign_in(cluster.world["coord_tx"].email).status_code == 302
    marks = {worker.name: len(worker.log()) for worker in cluster.workers}

    queued = coordinator.post("/certificates/issue-pending", {"site": str(site.id)})
    assert queued.status_code == 302, queued.text[:300]
    job_id = int(queued.headers["Location"].rsplit("/", 1)[1])

    def running_on():
        return next((w for w in cluster.workers if TASK in w.log()[marks[w.name] :]), None)

    first = wait_until(running_on, 30, "a worker to take the job")
    (survivor,) = [worker for worker in cluster.workers if worker is not first]
    try:
        wait_until(lambda: job_now(job_id).issued >= 3, 60, "the first chunk to be issued")
        first.kill()
        stuck = job_now(job_id)
        issued_by_the_dead = stuck.issued
        assert stuck.status == JobStatus.RUNNING and stuck.finished_at is None
        assert 3 <= issued_by_the_dead < AWARDS
        marks[survivor.name] = len(survivor.log())

        done = wait_until(lambda: (j := job_now(job_id)).finished_at and j, 60, "the job to end")
    finally:
        first.start()  # back for the next test
        first.wait_ready()
    assert TASK in survivor.log()[marks[survivor.name] :]  # the other worker finished it
    assert (done.status, done.issued, done.failed, done.total, done.failures) == (
        JobStatus.DONE,
        AWARDS,
        0,
        AWARDS,
        [],
    )
    assert done.runs == 2  # the killed run and the one that finished
    per_award = db.session.execute(
        select(Certificate.credit_award_id, func.count())
        .where(Certificate.credit_award_id.in_([award.id for award in awards]))
        .group_by(Certificate.credit_award_id)
    ).all()
    db.session.rollback()
    assert sorted(per_award) == sorted((award.id, 1) for award in awards)  # each once
    print(f"\n{first.name} killed after {issued_by_the_dead} of {AWARDS}; {survivor.name} finished")

    archive = coordinator.get(f"/certificates/jobs/{job_id}/certificates.zip")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        credentials = [name for name in zipped.namelist() if name.startswith("credentials/")]
    assert sum(name.endswith(".json") for name in credentials) == AWARDS
    assert sum(name.endswith(".jwt") for name in credentials) == AWARDS
