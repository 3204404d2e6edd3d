"""Scale benchmark: each hot page's p50 at national size over its p50 at a small size.

Usage: python bench/scale_bench.py --small-db URL --national-db URL [--duration 5 --repeat 3]
Seeds two databases (2,000 students at 16 sites, one a state, and 213,569 at 400 sites: a
site's list and queue hold about as much in both, and the Texas coordinator's queue is not
empty in the small one; a database already seeded alike is kept, so the national one is
seeded once), serves both at once (bench/http_bench.py --beside-db: each page on one, then on
the other, interleaved, so a drifting load meets both alike) and prints, per page, both p50s
and their ratio. Goal: 1.2 or less (no page whose cost grows with the installation).
Both databases should be on the same engine (two SQLite files, or two PostgreSQL databases).
The CPU ratio (app workers and PostgreSQL backends per request) is the steadier figure on a
shared machine.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GOAL = 1.2


def run(database_url: str, *command: str) -> None:
    subprocess.run(
        [PYTHON, *command], cwd=ROOT, env=dict(os.environ, DATABASE_URL=database_url), check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-db", required=True)
    parser.add_argument("--national-db", required=True)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--national", type=int, default=213_569)
    parser.add_argument("--small-sites", type=int, default=16)
    parser.add_argument("--national-sites", type=int, default=400)
    parser.add_argument("--duration", default="5")
    parser.add_argument("--repeat", default="3")
    args = parser.parse_args()
    for url, students, sites in (
        (args.small_db, args.small, args.small_sites),
        (args.national_db, args.national, args.national_sites),
    ):
        run(url, "bench/seed.py", "--students", str(students), "--sites", str(sites), "--if-seeded")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pages.json"
        run(
            args.national_db,
            "bench/http_bench.py",
            "--beside-db",
            args.small_db,
            "--beside-label",
            "small",
            "--duration",
            args.duration,
            "--repeat",
            args.repeat,
            "--json",
            str(out),
        )
        rows = json.loads(out.read_text())["pages"]
    small_rows = {
        p["page"].removesuffix(" (small)"): p for p in rows if p["page"].endswith(" (small)")
    }
    figures = {
        "small": small_rows,
        "national": {p["page"]: p for p in rows if not p["page"].endswith(" (small)")},
    }
    print(f"\nscale: {args.national:,} students over {args.small:,} (goal: p50 ratio <= {GOAL})")
    print(f"load average now: {os.getloadavg()}")
    print(
        f"{'page':40} {'p50 small':>9} {'p50 nat.':>9} {'ratio':>6} {'CPU ratio':>9} "
        f"{'KB small':>8} {'KB nat.':>8}"
    )
    worst = 0.0
    for page, small in figures["small"].items():
        large = figures["national"].get(page)
        if large is None:
            continue
        ratio = large["p50"] / small["p50"]
        cpu_ratio = (large["cpu_ms"] + large["db_cpu_ms"]) / (small["cpu_ms"] + small["db_cpu_ms"])
        worst = max(worst, ratio)
        flag = "" if ratio <= GOAL else "  over the goal"
        print(
            f"{page:40} {small['p50']:9.1f} {large['p50']:9.1f} {ratio:6.2f} {cpu_ratio:9.2f} "
            f"{small['bytes'] / 1000:8.1f} {large['bytes'] / 1000:8.1f}{flag}"
        )
    print(f"worst p50 ratio: {worst:.2f}")


if __name__ == "__main__":
    sys.exit(main())
