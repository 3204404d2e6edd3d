"""Certificate issuance benchmark: single-certificate latency and certificates/second in bulk.

Usage: python bench/certificates_bench.py [--count 10000]
Builds a fresh SQLite database under instance/ (or DATABASE_URL) with COUNT awarded credits,
then issues one certificate alone (latency) and all the rest in one bulk job, run as the
worker runs it (throughput): each one
a PDF (read back: page count), a signed Open Badges credential (eddsa-rdfc-2022) and its
VC-JWT, and its records, committed; then the CPU cost of one credential's proof and VC-JWT.

The machine may be shared, so the bulk phase prints its CPU time (this process and the
wkhtmltopdf runs it started, user + system) beside the wall time, and the range an idle
2-core machine would take: at best the larger of the serial Python work (one core) and half of
all the CPU time (both cores busy); at worst the Python work plus half the rendering (the two
renders of a chunk in parallel, nothing else overlapping); and the pipelined figure, the
job as it runs: the Python work done while renders run (signing, records, the next chunk's
codes and QR codes, timed) shares both cores with them, the rest does not overlap.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# A throwaway database and key: set before config.py is imported.
FOLDER = tempfile.mkdtemp(prefix="puente-cert-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{FOLDER}/bench.db")
os.environ.setdefault("SIGNING_KEY_FILE", f"{FOLDER}/signing_key.pem")

from sqlalchemy import func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.certificates import services  # noqa: E402
from app.certificates.credential import sign_credential  # noqa: E402
from app.certificates.documents import RUN_SIZE  # noqa: E402
from app.certificates.linked_data import canonical_nquads  # noqa: E402
from app.certificates.models import JobStatus  # noqa: E402
from app.certificates.services import (  # noqa: E402
    CodesAhead,
    issue_certificates,
    load_certificate_pdf,
    print_certificates,
)
from app.certificates.tasks import CHUNK, run_issue_job  # noqa: E402
from app.certificates.vc_jwt import sign_vc_jwt  # noqa: E402
from app.common import utcnow  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Certificate,
    CertificateJob,
    CertificatePrint,
    CreditAward,
    Enrollment,
    Site,
    Student,
    User,
)
from app.warm_pdf import kept_cpu_seconds  # noqa: E402
from bench.guard import ensure_bench_database, mark_bench_database  # noqa: E402
from config import BASE_DIR  # noqa: E402


def seed(count: int) -> User:
    ensure_bench_database()
    db.drop_all()
    db.create_all()
    mark_bench_database(Path(__file__).name)
    version = import_package(BASE_DIR / "tests" / "data" / "mini-course")
    db.session.add(
        Site(id=1, code="BENCH", name="Bench PASS Center", state_code="US-TX", city="Weslaco")
    )
    coordinator = User(
        email="coordinator@bench.puente",
        role="coordinator",
        state_code="US-TX",
        given_name="Bench",
        family_name="Coordinator",
    )
    coordinator.set_password("bench-pass-1")
    db.session.add(coordinator)
    db.session.flush()
    now = utcnow()
    rows = range(1, count + 1)
    db.session.execute(
        insert(Student),
        [
            {
                "id": i,
                "site_id": 1,
                "given_name": f"Given{i}",
                "family_name": f"Family{i}",
                "kind": "secondary",
                "msix_id": f"{100000000000 + i}",
                "created_at": now,
            }
            for i in rows
        ],
    )
    db.session.execute(
        insert(Enrollment),
        [
            {
                "id": i,
                "student_id": i,
                "course_version_id": version.id,
                "status": "completed",
                "assigned_at": now,
                "started_at": now,
                "completed_at": now,
            }
            for i in rows
        ],
    )
    db.session.execute(
        insert(CreditAward),
        [
            {
                "id": i,
                "enrollment_id": i,
                "units_passed": 3,
                "unit_count": 3,
                "grade_percent": 84.3,
                "letter": "B",
                "sep_grade": 8.4,
                "credit": 0.5,
                "credit_system": "carnegie",
                "is_partial": False,
                "state_code": "US-TX",
                "site_id": 1,
                "awarded_by_id": coordinator.id,
                "awarded_at": now,
            }
            for i in rows
        ],
    )
    db.session.commit()
    return coordinator


def awards(ids) -> list[CreditAward]:
    return list(db.session.scalars(select(CreditAward).where(CreditAward.id.in_(list(ids)))))


def credential_figures(cert: Certificate, rounds: int = 500) -> dict[str, float]:
    """CPU milliseconds a credential takes: the eddsa-rdfc-2022 proof (RDFC-1.0 with the
    shape reused, as issuing does, and with a full JSON-LD reading) and the VC-JWT."""
    unsigned = {k: v for k, v in cert.credential.items() if k != "proof"}
    created = cert.credential["proof"][0]["created"]
    steps = {
        "eddsa-rdfc-2022 proof": lambda: sign_credential(unsigned, created),
        "RDFC-1.0 (shape reused)": lambda: canonical_nquads(unsigned),
        "RDFC-1.0 (full JSON-LD reading)": lambda: canonical_nquads(unsigned, full=True),
        "VC-JWT ES256": lambda: sign_vc_jwt(cert.credential),
    }
    figures = {}
    for name, step in steps.items():
        started = time.process_time()
        for _ in range(rounds):
            step()
        figures[name] = (time.process_time() - started) / rounds * 1000
    return figures


def cpu_seconds() -> tuple[float, float]:
    """(this process, its wkhtmltopdf runs) CPU seconds so far, user + system: the finished
    children's and the kept renderers' (app/warm_pdf.py)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime + kept_cpu_seconds()


def time_overlapped() -> list[float]:
    """Sum the CPU seconds of the Python the job does while renders run: signing and records
    (services._sign_and_record) and the next chunk's codes and QR codes (CodesAhead.make)."""
    seconds = [0.0]

    def timed(step):
        def run(*args, **kwargs):
            started = time.thread_time()
            try:
                return step(*args, **kwargs)
            finally:
                seconds[0] += time.thread_time() - started

        return run

    CodesAhead.make = timed(CodesAhead.make)
    services._sign_and_record = timed(services._sign_and_record)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        coordinator = seed(args.count)
        latencies, issues, prints = [], [], []
        for award_id in range(1, 6):
            started = time.perf_counter()
            issue_certificates(awards([award_id]), coordinator)
            db.session.commit()
            latencies.append(time.perf_counter() - started)
        for award_id in range(6, 11):  # as the credit page issues one: the queue prints it
            started = time.perf_counter()
            (cert,) = issue_certificates(awards([award_id]), coordinator, render=False)
            db.session.commit()
            signed = time.perf_counter()
            print_certificates([cert.id])
            db.session.commit()
            issues.append(signed - started)
            prints.append(time.perf_counter() - signed)
        remaining = args.count - 10
        ahead_cpu = time_overlapped()
        own_before, children_before = cpu_seconds()
        started = time.perf_counter()
        job = CertificateJob(created_by_id=coordinator.id)
        db.session.add(job)
        db.session.commit()
        run_issue_job(job.id)  # what the worker runs: chunks, progress, lease, one commit each
        elapsed = time.perf_counter() - started
        job = db.session.get(CertificateJob, job.id, populate_existing=True)
        assert (job.status, job.issued, job.failed) == (JobStatus.DONE, remaining, 0), job.failures
        own_after, children_after = cpu_seconds()
        own_cpu, render_cpu = own_after - own_before, children_after - children_before
        issued = db.session.scalar(select(func.count()).select_from(Certificate))
        pdf_bytes = db.session.scalar(select(func.sum(func.length(CertificatePrint.pdf))))
        last = db.session.get(Certificate, args.count)
        sample = load_certificate_pdf(last)
        per_credential = credential_figures(last)
        print(f"database: {db.engine.url.render_as_string(hide_password=True)}")
    print(
        f"single certificate, rendered in the request: median {statistics.median(latencies) * 1000:.0f} ms "
        f"(5 runs; wkhtmltopdf kept running between documents)"
    )
    print(
        f"single certificate from the credit page: issued (signed, recorded, committed) in "
        f"median {statistics.median(issues) * 1000:.0f} ms; the job queue's print "
        f"{statistics.median(prints) * 1000:.0f} ms more, so its PDF is ready "
        f"{statistics.median(i + p for i, p in zip(issues, prints, strict=True)) * 1000:.0f} ms "
        "after the award (5 runs, no queue wait counted)"
    )
    print(
        f"bulk: {remaining:,} certificates in {elapsed:.1f} s = {remaining / elapsed:,.0f} certificates/s "
        f"(one bulk job, chunks of {CHUNK}, print runs of {RUN_SIZE} pages; PDF + "
        "eddsa-rdfc-2022 credential + VC-JWT + records, committed)"
    )
    total_cpu = own_cpu + render_cpu
    print(
        f"bulk CPU: {total_cpu:.1f} s = Python {own_cpu:.1f} s + wkhtmltopdf {render_cpu:.1f} s "
        f"({total_cpu / remaining * 1000:.1f} ms a certificate; load average now "
        f"{os.getloadavg()[0]:.1f})"
    )
    best, worst = max(own_cpu, total_cpu / 2), own_cpu + render_cpu / 2
    per_10k = 10_000 / remaining
    print(
        f"projected on an idle 2-core machine, per 10,000: between {best * per_10k:.1f} s "
        f"(max(Python CPU, all CPU / 2): everything overlapped) and {worst * per_10k:.1f} s "
        "(Python CPU + wkhtmltopdf CPU / 2: Python never overlapping the two renders)"
    )
    overlapped = ahead_cpu[0]
    pipelined = own_cpu - overlapped + (render_cpu + overlapped) / 2
    print(
        f"  with the pipeline: {pipelined * per_10k:.1f} s (Python CPU less the {overlapped * per_10k:.1f} s "
        "of signing, records, codes and QR codes done during the renders, + (wkhtmltopdf CPU + "
        "those) / 2: they share both cores with the renders)"
    )
    print(
        "per credential (CPU, mean of 500): "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in per_credential.items())
    )
    print(
        f"total issued: {issued:,}; print-run PDFs {pdf_bytes / issued / 1024:.1f} KiB a page; "
        f"one certificate's own PDF (cut out on download): {len(sample) / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    main()
