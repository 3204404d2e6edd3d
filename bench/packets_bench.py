"""Paper-packet benchmark: one packet's latency and a batch job's packets per second.

Usage: python bench/packets_bench.py [--count 20] [--size letter|a4]
Builds a fresh SQLite database in a temporary folder with COUNT students working on Algebra I A
unit 2, prints one packet alone, then runs a batch job over all of them (as the worker does) and
prints seconds, pages and the merged PDF's size.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
FOLDER = tempfile.mkdtemp(prefix="puente-packet-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{FOLDER}/bench.db")
os.environ.setdefault("SIGNING_KEY_FILE", f"{FOLDER}/signing_key.pem")

from app import create_app  # noqa: E402
from app.courses.services import import_package  # noqa: E402
from app.extensions import db  # noqa: E402
from app.packets.documents import packet_pdf  # noqa: E402
from app.packets.services import packet_path, run_packet_job, start_packet_job  # noqa: E402
from app.users.models import Role  # noqa: E402
from tests import factories  # noqa: E402

ALGEBRA = Path(__file__).resolve().parents[1] / "courses" / "algebra-i-a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--size", choices=("letter", "a4"), default="letter")
    args = parser.parse_args()
    app = create_app()
    app.config["PACKETS_DIR"] = f"{FOLDER}/packets"
    with app.app_context(), app.test_request_context():
        db.create_all()
        course = import_package(ALGEBRA)
        site = factories.make_site("US-TX")
        teacher = factories.make_user(Role.TEACHER, site)
        progresses = [
            factories.make_enrollment(factories.make_student(site, with_user=False), course).units[
                1
            ]
            for _ in range(args.count)
        ]
        db.session.commit()
        started = time.perf_counter()
        one = packet_pdf(progresses[0], 1, args.size)
        single = time.perf_counter() - started
        job = start_packet_job(teacher, [p.id for p in progresses], args.size)
        db.session.commit()
        started = time.perf_counter()
        run_packet_job(job.id)
        batch = time.perf_counter() - started
        job = db.session.get(type(job), job.id)
        size = packet_path(job).stat().st_size
    print(f"one packet ({args.size}): {single:.2f} s, {len(one) / 1024:.0f} KiB")
    print(
        f"batch of {args.count}: {batch:.1f} s, {args.count / batch:.2f} packets/s, "
        f"{job.pages} pages, {size / 1024 / 1024:.1f} MiB, status {job.status.value}"
    )


if __name__ == "__main__":
    main()
