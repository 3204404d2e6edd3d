"""A course-history export whose worker is killed (SIGKILL) mid-file finishes after a restart
with exactly one complete file: the dead run's partial file is never offered, and the file
served is the one the job row describes (rows, SHA-256), with only the starter's scope."""

import csv
import hashlib
import io
import signal
from pathlib import Path

import pytest

from app.extensions import db
from app.job_leases import JobStatus
from app.records.models import ExportJob
from app.users.models import Role
from tests import factories
from tests.concurrency.harness import Actor, gunicorn, tally, wait_until
from tests.concurrency.test_job_faults import start_worker

pytestmark = pytest.mark.own_databases  # gunicorn and a worker on a database of their own

STUDENTS = 200
JOB_ENV = {
    "PUENTE_LIVE_JOBS": "worker",
    "PUENTE_LIVE_JOB_LEASE": "4",
    "PUENTE_LIVE_EXPORT_BATCH": "1",
}


@pytest.fixture(scope="module")
def job_env(tmp_path_factory):
    queue = tmp_path_factory.mktemp("queue") / "jobs.db"
    exports = tmp_path_factory.mktemp("exports")
    return {
        **JOB_ENV,
        "JOB_QUEUE_URL": f"sqlite:///{queue}",
        "PUENTE_LIVE_EXPORTS_DIR": str(exports),
    }


@pytest.fixture(scope="module")
def job_server(seed_app, world, live_database, job_env):
    with gunicorn(live_database, workers=1, **job_env) as base:
        yield base


def _job(job_id: int) -> ExportJob:
    """The job row as it is now."""
    db.session.rollback()
    return db.session.get(ExportJob, job_id, populate_existing=True)


def _seed(world) -> tuple:
    site = factories.make_site("US-TX")
    teacher = factories.make_user(Role.TEACHER, site)
    students = []
    for n in range(STUDENTS):
        student = factories.make_student(site, with_user=False, given_name=f"Alumno{n}")
        factories.make_enrollment(student, world["course"], teacher)
        students.append(student)
    factories.make_enrollment(world["student_tx1"], world["course"])  # another site's
    db.session.commit()
    return teacher, students


def test_a_killed_worker_export_finishes_after_a_restart_with_one_complete_file(
    job_server, world, live_database, job_env, tmp_path
):
    teacher, students = _seed(world)
    folder = Path(job_env["PUENTE_LIVE_EXPORTS_DIR"])
    owner = Actor(job_server, teacher)
    log = (tmp_path / "worker.log").open("w")
    worker = start_worker(live_database, job_env, log)
    restarted = None
    try:
        started = owner.post("/records/exports", {"kind": "secondary"})
        assert started.status_code == 302, started.text[:300]
        job_id = int(started.headers["Location"].rsplit("/", 1)[1])
        wait_until(lambda: _job(job_id).done >= 5, 90, "five students written", interval=0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        stuck = _job(job_id)
        assert stuck.status == JobStatus.RUNNING and 5 <= stuck.done < STUDENTS
        assert [p.suffix for p in folder.iterdir()] == [".part"]  # written, never offered
        assert owner.get(f"/records/exports/{job_id}.json").json()["finished"] is False
        assert owner.get(f"/records/exports/{job_id}/course-history.csv").status_code == 404

        restarted = start_worker(live_database, job_env, log)
        done = wait_until(lambda: (j := _job(job_id)).finished_at and j, 180, "the export")
    finally:
        for process in (worker, restarted):
            if process and process.poll() is None:
                process.terminate()
                process.wait(15)
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails
    assert (done.status, done.runs, done.total, done.done, done.rows) == (
        JobStatus.DONE,
        2,
        STUDENTS,
        STUDENTS,
        STUDENTS,
    )
    assert sorted(p.name for p in folder.iterdir()) == [f"{job_id}.csv"]

    page = owner.get(f"/records/exports/{job_id}").text
    assert 'data-finished="1"' in page and done.sha256 in page
    response = owner.get(f"/records/exports/{job_id}/course-history.csv")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert hashlib.sha256(response.content).hexdigest() == done.sha256
    assert response.content == (folder / f"{job_id}.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))[1:]
    ids = [int(row[0]) for row in rows]
    tally(
        "export, worker SIGKILLed",
        duplicates=len(ids) - len(set(ids)),
        lost=len({s.id for s in students} - set(ids)),
    )
    assert ids == sorted(s.id for s in students)  # each once, in order, only the scope's
    other = Actor(job_server, world["teacher_tx2"])
    assert other.get(f"/records/exports/{job_id}/course-history.csv").status_code == 403
