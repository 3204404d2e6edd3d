"""The scope's course-history export as a job: started from the Students list, followed on its
page, downloaded by whoever started it (and admins) only, recorded in the audit trail, and
resumed from the beginning of its file when a worker died."""

import hashlib
from base64 import b64encode
from datetime import timedelta

from app.audit.models import AuditEvent
from app.common import utcnow
from app.extensions import db
from app.job_leases import MAX_RUNS, JobStatus
from app.records.exports import requeue_abandoned_exports, run_export_job
from app.records.models import ExportJob
from tests import factories
from tests.records.test_history_export import download, read_csv, sign_in


def _start(client, **filters) -> ExportJob:
    started = client.post("/records/exports", data=filters)
    assert started.status_code == 302, started.get_data(as_text=True)[:500]
    job_id = int(started.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(ExportJob, job_id, populate_existing=True)


def _students(world, site, how_many: int) -> list:
    students = []
    for n in range(how_many):
        student = factories.make_student(site, with_user=False, given_name=f"Alumna{n}")
        factories.make_enrollment(student, world["course"], world["teacher_tx1"])
        students.append(student)
    db.session.commit()
    return students


def test_start_follow_and_download_an_export(client, world, exports_dir):
    students = _students(world, world["tx1"], 3)
    factories.make_enrollment(students[0], factories.make_course_version("ENG9A"))
    _students(world, world["tx2"], 2)  # the same state, another site: not in the filter
    sign_in(client, world["coord_tx"])
    job = _start(client, site=str(world["tx1"].id), page="4")
    assert job.filters == {"site": str(world["tx1"].id)}  # the list's filters, not its page
    assert (job.status, job.total, job.done, job.rows) == (JobStatus.DONE, 3, 3, 4)

    page = client.get(f"/records/exports/{job.id}").get_data(as_text=True)
    assert 'data-finished="1"' in page and job.sha256 in page and "4 rows" in page
    assert f"Site: {world['tx1'].name}" in page
    progress = client.get(f"/records/exports/{job.id}.json").get_json()
    assert progress == {"status": "done", "total": 3, "done": 3, "rows": 4, "finished": True}

    response = download(client, f"/records/exports/{job.id}/course-history.csv")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert hashlib.sha256(response.data).hexdigest() == job.sha256
    digest = b64encode(hashlib.sha256(response.data).digest()).decode()
    assert response.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    rows = read_csv(response)
    assert len(rows) == job.rows
    assert {r["puente_student_id"] for r in rows} == {str(s.id) for s in students}
    assert sorted(p.name for p in exports_dir.iterdir()) == [f"{job.id}.csv"]  # no partial file
    assert (exports_dir / f"{job.id}.csv").read_bytes() == response.data

    download(client, f"/records/exports/{job.id}/course-history.csv")
    events = {
        e.action: e for e in AuditEvent.query.filter_by(object_type="export_job", object_id=job.id)
    }
    assert events["history.export_started"].data["filters"] == job.filters
    done = events["history.exported"]
    assert (done.actor_id, done.data["students"], done.data["enrollments"]) == (
        world["coord_tx"].id,
        3,
        4,
    )
    assert done.data["filters"] == job.filters and done.data["sha256"] == job.sha256
    downloads = AuditEvent.query.filter_by(
        action="history.export_downloaded", object_id=job.id
    ).all()
    assert len(downloads) == 2 and downloads[0].data["rows"] == 4


def test_only_who_started_it_and_admins_see_an_export(client, world):
    _students(world, world["tx1"], 1)
    sign_in(client, world["teacher_tx1"])
    job = _start(client)
    urls = [
        f"/records/exports/{job.id}",
        f"/records/exports/{job.id}.json",
        f"/records/exports/{job.id}/course-history.csv",
    ]
    for user in (world["teacher_tx2"], world["coord_tx"], world["coord_nd"]):
        sign_in(client, user)
        assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    sign_in(client, world["student_tx1"].user)
    assert client.get(urls[2]).status_code == 403
    sign_in(client, world["admin"])
    assert len(read_csv(download(client, urls[2]))) == 1
    assert client.get("/records/exports/999999").status_code == 404
    assert not AuditEvent.query.filter_by(
        action="history.export_downloaded", actor_id=world["coord_tx"].id
    ).count()


def test_an_unfinished_export_offers_no_file(client, world):
    job = ExportJob(created_by_id=world["teacher_tx1"].id, status=JobStatus.RUNNING, total=5)
    db.session.add(job)
    db.session.commit()
    sign_in(client, world["teacher_tx1"])
    page = client.get(f"/records/exports/{job.id}").get_data(as_text=True)
    assert "data-finished" not in page and "course-history.csv" not in page
    assert client.get(f"/records/exports/{job.id}/course-history.csv").status_code == 404


def test_the_page_is_in_spanish(client, world):
    _students(world, world["tx1"], 2)
    world["teacher_tx1"].locale = "es"
    db.session.commit()
    sign_in(client, world["teacher_tx1"])
    job = _start(client, status="active")
    page = client.get(f"/records/exports/{job.id}").get_data(as_text=True)
    for text in (
        "Exportación del historial de cursos",
        "estudiantes listos",
        "Terminado",
        "Descargar el historial de cursos (CSV)",
        "2 filas (una por inscripción)",
        "Filtros",
        "Activo",
    ):
        assert text in page, text
    long = client.post("/records/exports", data={"q": "x" * 201})
    assert long.status_code == 400
    assert "Un filtro tiene más de 200 caracteres." in long.get_data(as_text=True)


def _abandoned(world, **fields) -> ExportJob:
    job = ExportJob(
        created_by_id=world["teacher_tx1"].id,
        heartbeat_at=utcnow() - timedelta(minutes=10),
        status=JobStatus.RUNNING,
        lease_token="dead",
        **fields,
    )
    db.session.add(job)
    db.session.commit()
    return job


def test_a_dead_runs_export_is_written_again_from_the_beginning(world, exports_dir):
    _students(world, world["tx1"], 3)
    job = _abandoned(world, runs=1, total=3, done=2)
    exports_dir.mkdir()
    partial = exports_dir / f"{job.id}.dead.part"
    partial.write_bytes(b"\xef\xbb\xbfpuente_student_id,msix")  # what the dead run had written
    alive = _abandoned(world, runs=1)
    alive.heartbeat_at = utcnow()
    db.session.commit()

    assert requeue_abandoned_exports(at_start=False) == [job.id]  # tasks run at once in tests
    db.session.refresh(job)
    assert (job.status, job.runs, job.total, job.done, job.rows) == (JobStatus.DONE, 2, 3, 3, 3)
    assert sorted(p.name for p in exports_dir.iterdir()) == [f"{job.id}.csv"]
    data = (exports_dir / f"{job.id}.csv").read_bytes()
    assert hashlib.sha256(data).hexdigest() == job.sha256
    assert data.decode("utf-8-sig").count("\r\n") == 1 + 3
    db.session.refresh(alive)
    assert alive.status == JobStatus.RUNNING and alive.runs == 1  # a live lease is left alone


def test_an_export_whose_worker_died_too_often_fails_and_says_so(client, world, exports_dir):
    _students(world, world["tx1"], 1)
    job = _abandoned(world, runs=MAX_RUNS)
    run_export_job(job.id)
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert f"stopped {MAX_RUNS} times" in job.error and job.rows is None
    assert not exports_dir.exists() or not list(exports_dir.iterdir())
    world["teacher_tx1"].locale = "es"
    db.session.commit()
    sign_in(client, world["teacher_tx1"])
    page = client.get(f"/records/exports/{job.id}").get_data(as_text=True)
    assert "La exportación se detuvo antes de terminar; no se creó ningún archivo." in page
    assert client.get(f"/records/exports/{job.id}/course-history.csv").status_code == 404


def test_a_queued_export_is_queued_again_when_a_worker_starts(world):
    _students(world, world["tx1"], 1)
    job = ExportJob(created_by_id=world["teacher_tx1"].id)
    db.session.add(job)
    db.session.commit()
    assert requeue_abandoned_exports(at_start=False) == []
    assert requeue_abandoned_exports(at_start=True) == [job.id]
    db.session.refresh(job)
    assert (job.status, job.rows, job.runs) == (JobStatus.DONE, 1, 1)


def test_a_site_outside_the_scope_exports_nothing_and_is_not_named(client, world):
    _students(world, world["nd"], 2)
    sign_in(client, world["coord_tx"])
    job = _start(client, site=str(world["nd"].id))
    assert (job.status, job.total, job.rows) == (JobStatus.DONE, 0, 0)
    page = client.get(f"/records/exports/{job.id}").get_data(as_text=True)
    assert f"Site: {world['nd'].id}" in page and world["nd"].name not in page
    rows = read_csv(download(client, f"/records/exports/{job.id}/course-history.csv"))
    assert rows == []
