"""A bulk certificate job whose worker is killed (SIGKILL) mid-job finishes after a restart:
every award certified exactly once, nothing left running, the ZIP offered."""

import io
import signal
import subprocess
import zipfile

import pytest
from sqlalchemy import func, select

from app.certificates.models import Certificate, CertificateJob, JobStatus
from app.credits.services import award_credit
from app.extensions import db
from config import BASE_DIR
from tests import factories
from tests.concurrency.harness import (
    VENV_BIN,
    Actor,
    gunicorn,
    live_env,
    passed_enrollment,
    tally,
    wait_until,
)

pytestmark = pytest.mark.own_databases  # gunicorn on a database of its own

AWARDS = 24
JOB_ENV = {"PUENTE_LIVE_JOBS": "worker", "PUENTE_LIVE_JOB_LEASE": "4", "PUENTE_LIVE_JOB_CHUNK": "3"}


@pytest.fixture(scope="module")
def job_env(tmp_path_factory):
    queue = tmp_path_factory.mktemp("queue") / "jobs.db"
    return {**JOB_ENV, "JOB_QUEUE_URL": f"sqlite:///{queue}"}


@pytest.fixture(scope="module")
def job_server(seed_app, world, live_database, job_env):
    with gunicorn(live_database, workers=1, **job_env) as base:
        yield base


def start_worker(database_url: str, env: dict, log) -> subprocess.Popen:
    """A real `flask jobs worker` process on the live app and queue."""
    return subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "tests.live:app", "jobs", "worker", "--workers", "1"],
        cwd=BASE_DIR,
        env=live_env(database_url, **env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _job(job_id: int) -> CertificateJob:
    """The job row as it is now."""
    db.session.rollback()
    return db.session.get(CertificateJob, job_id, populate_existing=True)


def test_a_killed_worker_job_finishes_after_a_restart_exactly_once(
    job_server, world, live_database, job_env, tmp_path
):
    site = factories.make_site("US-TX")
    awards = [
        award_credit(passed_enrollment(world, site, units=1), world["coord_tx"])
        for _ in range(AWARDS)
    ]
    db.session.commit()
    coordinator = Actor(job_server, world["coord_tx"])
    log = (tmp_path / "worker.log").open("w")
    worker = start_worker(live_database, job_env, log)
    restarted = None
    try:
        queued = coordinator.post("/certificates/issue-pending", {"site": str(site.id)})
        job_id = int(queued.headers["Location"].rsplit("/", 1)[1])
        wait_until(lambda: _job(job_id).issued >= 6, 90, "two chunks to be issued")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        stuck = _job(job_id)
        assert stuck.status == JobStatus.RUNNING and 6 <= stuck.issued < AWARDS
        assert coordinator.get(f"/certificates/jobs/{job_id}.json").json()["finished"] is False

        restarted = start_worker(live_database, job_env, log)
        done = wait_until(lambda: (j := _job(job_id)).finished_at and j, 180, "the job to finish")
    finally:
        for process in (worker, restarted):
            if process and process.poll() is None:
                process.terminate()
                process.wait(15)
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails
    assert (done.status, done.issued, done.failed, done.total) == (
        JobStatus.DONE,
        AWARDS,
        0,
        AWARDS,
    )
    assert done.runs == 2 and done.failures == []
    per_award = db.session.execute(
        select(Certificate.credit_award_id, func.count())
        .where(Certificate.credit_award_id.in_([a.id for a in awards]))
        .group_by(Certificate.credit_award_id)
    ).all()
    db.session.rollback()
    duplicates = sum(count - 1 for _award, count in per_award)
    tally("bulk job, worker SIGKILLed", duplicates=duplicates, lost=AWARDS - len(per_award))
    assert sorted(per_award) == sorted((a.id, 1) for a in awards)  # each once, none revoked
    progress = coordinator.get(f"/certificates/jobs/{job_id}.json").json()
    assert progress["status"] == "done" and progress["finished"] is True
    page = coordinator.get(f"/certificates/jobs/{job_id}").text
    assert 'data-finished="1"' in page and "certificates.zip" in page
    archive = coordinator.get(f"/certificates/jobs/{job_id}/certificates.zip")
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        credentials = [n for n in zipped.namelist() if n.startswith("credentials/")]
    # Each certificate once, in both forms (the JSON credential and its VC-JWT).
    assert sum(n.endswith(".json") for n in credentials) == AWARDS
    assert sum(n.endswith(".jwt") for n in credentials) == AWARDS
