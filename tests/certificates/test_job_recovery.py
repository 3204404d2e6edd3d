"""Bulk jobs and dead workers: a live lease is left alone, a stale one is resumed where it
stopped (each award once), and a job whose worker died too often fails with what was done."""

import csv
import io
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from app.certificates.models import Certificate, CertificateJob, JobStatus
from app.certificates.services import issue_certificate, load_certificate_pdf
from app.certificates.tasks import MAX_RUNS, requeue_abandoned_jobs, run_issue_job
from app.common import utcnow
from app.extensions import db
from tests.certificates.helpers import awarded, pdf_qr_codes


def _job(world, awards, **fields) -> CertificateJob:
    job = CertificateJob(
        created_by_id=world["coord_tx"].id,
        award_ids=[a.id for a in awards],
        total=len(awards),
        **fields,
    )
    db.session.add(job)
    db.session.flush()
    return job


def _stale():
    return utcnow() - timedelta(minutes=10)


def _certificates_per_award(awards) -> dict[int, int]:
    rows = db.session.execute(
        select(Certificate.credit_award_id, func.count())
        .where(Certificate.credit_award_id.in_([a.id for a in awards]))
        .group_by(Certificate.credit_award_id)
    )
    return dict(rows.all())


def test_a_job_with_a_live_lease_is_not_run_a_second_time(world):
    awards = [awarded(world)]
    job = _job(
        world, awards, status=JobStatus.RUNNING, heartbeat_at=utcnow(), lease_token="a", runs=1
    )
    run_issue_job(job.id)
    db.session.refresh(job)
    assert (job.status, job.runs, job.lease_token, job.issued) == (JobStatus.RUNNING, 1, "a", 0)
    assert _certificates_per_award(awards) == {}


def test_a_stale_job_resumes_and_certifies_only_what_was_left(world):
    awards = [awarded(world) for _ in range(3)]
    first = issue_certificate(awards[0], world["coord_tx"])  # the dead run's first chunk
    job = _job(
        world,
        awards,
        status=JobStatus.RUNNING,
        heartbeat_at=_stale(),
        lease_token="dead",
        runs=1,
        issued=1,
        print_ids=[first.print_id],
    )
    run_issue_job(job.id)
    db.session.refresh(job)
    assert (job.status, job.issued, job.failed, job.runs) == (JobStatus.DONE, 3, 0, 2)
    assert job.finished_at is not None and job.lease_token is None
    assert _certificates_per_award(awards) == {a.id: 1 for a in awards}


def test_a_job_whose_worker_died_too_often_fails_and_offers_what_was_done(world, auth, client):
    awards = [awarded(world) for _ in range(2)]
    first = issue_certificate(awards[0], world["coord_tx"])
    job = _job(
        world,
        awards,
        status=JobStatus.RUNNING,
        heartbeat_at=_stale(),
        lease_token="dead",
        runs=MAX_RUNS,
        issued=1,
        print_ids=[first.print_id],
    )
    run_issue_job(job.id)
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert f"stopped {MAX_RUNS} times" in job.failures[-1]["reason"]
    assert _certificates_per_award(awards) == {awards[0].id: 1}
    auth.login(world["coord_tx"])
    progress = client.get(f"/certificates/jobs/{job.id}.json").get_json()
    assert (progress["status"], progress["finished"], progress["issued"]) == ("failed", True, 1)
    page = client.get(f"/certificates/jobs/{job.id}").get_data(as_text=True)
    assert "The job stopped before it finished" in page and 'data-finished="1"' in page
    archive = client.get(f"/certificates/jobs/{job.id}/certificates.zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as zipped:
        names = zipped.namelist()
        report = list(csv.reader(io.StringIO(zipped.read("not-issued.csv").decode())))
    assert names.count(f"credentials/{first.serial}.json") == 1
    assert names.count(f"credentials/{first.serial}.jwt") == 1
    assert len([n for n in names if n.startswith("credentials/")]) == 2
    assert report[0] == ["award_id", "student", "reason"] and "stopped" in report[-1][2]


def test_the_watcher_queues_abandoned_jobs_again_and_they_finish(world):
    awards = [awarded(world) for _ in range(2)]
    abandoned = _job(
        world,
        awards[:1],
        status=JobStatus.RUNNING,
        heartbeat_at=_stale(),
        lease_token="dead",
        runs=1,
    )
    alive = _job(
        world,
        awards[1:],
        status=JobStatus.RUNNING,
        heartbeat_at=utcnow(),
        lease_token="alive",
        runs=1,
    )
    waiting = _job(world, [], status=JobStatus.QUEUED)
    assert requeue_abandoned_jobs(at_start=False) == [abandoned.id]  # tasks run at once in tests
    for job in (abandoned, alive, waiting):
        db.session.refresh(job)
    assert (abandoned.status, abandoned.issued) == (JobStatus.DONE, 1)
    assert alive.status == JobStatus.RUNNING and waiting.status == JobStatus.QUEUED
    assert requeue_abandoned_jobs(at_start=True) == [waiting.id]
    db.session.refresh(waiting)
    assert waiting.status == JobStatus.DONE and alive.status == JobStatus.RUNNING


def test_one_bad_award_fails_alone_and_the_rest_still_share_print_runs(world):
    """A chunk that fails is retried in halves: the superseded award fails alone, with why;
    the other four are issued once each, two print runs instead of one run apiece."""
    awards = [awarded(world) for _ in range(5)]
    job = _job(world, awards)
    awards[2].superseded_at = utcnow()  # replaced after the job fixed its list
    db.session.flush()
    run_issue_job(job.id)
    db.session.refresh(job)
    assert (job.status, job.issued, job.failed) == (JobStatus.DONE, 4, 1)
    assert [f["award_id"] for f in job.failures] == [awards[2].id]
    assert "replaced by a newer one" in job.failures[0]["reason"]
    good = [a for i, a in enumerate(awards) if i != 2]
    assert _certificates_per_award(awards) == {a.id: 1 for a in good}
    assert len(set(job.print_ids)) == 2


def test_codes_made_ahead_during_rendering_each_go_to_one_certificate_with_its_own_qr(
    world, app, monkeypatch
):
    # Chunks of 2: the 2nd and 3rd chunks' codes and QR codes were made while the one before rendered.
    monkeypatch.setitem(app.config, "JOB_CHUNK_SIZE", 2)
    awards = [awarded(world) for _ in range(5)]
    job = _job(world, awards)
    run_issue_job(job.id)
    db.session.refresh(job)
    assert (job.status, job.issued, job.failed) == (JobStatus.DONE, 5, 0)
    certs = db.session.scalars(
        select(Certificate).where(Certificate.credit_award_id.in_([a.id for a in awards]))
    ).all()
    assert len({c.code for c in certs}) == 5
    for cert in certs:
        assert pdf_qr_codes(load_certificate_pdf(cert)) == [
            f"https://puente.example.org/verify/{cert.code}"
        ]
