"""Scale benchmark: each hot page's p50 at national size over its p50 at a small size.

Usage: python bench/scale_bench.py --small-db URL --national-db URL [--duration 5 --repeat 3]
       [--requests 2000]
Seeds two databases (2,000 students at 16 sites, one a state, and 213,569 at 400 sites; a
quarter of the small set's students have a test to grade, so a site's and the Texas
coordinator's queue fill a page in both; a database already seeded alike is kept, so the
national one is seeded once), serves both at once (bench/http_bench.py --beside-db: each page
on one, then on the other, the order reversed every other repeat) and prints, per page, both
p50s, their ratio, the CPU ratio and each page's size (what it shows). Goal: 1.2 or less (no
page whose cost grows with the installation). Then bench/scale_steady.py asks the same pages
of both in one process, request by request in turn: the steadier figure on a shared machine,
where runs seconds apart can differ by a third.
Both databases should be on the same engine (two SQLite files, or two PostgreSQL databases).
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
    # A quarter of the small set's students have a test to grade (3 % nationally): a site's and
    # a state's queue then fill a page in both, as at national scale (25 rows at the busiest site).
    parser.add_argument("--small-backlog", default="0.25")
    parser.add_argument("--national-sites", type=int, default=400)
    parser.add_argument("--duration", default="5")
    parser.add_argument("--repeat", default="3")
    parser.add_argument("--requests", default="2000", help="a page's requests in one process")
    args = parser.parse_args()
    for url, students, sites, backlog in (
        (args.small_db, args.small, args.small_sites, ["--backlog", args.small_backlog]),
        (args.national_db, args.national, args.national_sites, []),
    ):
        seed = ["--students", str(students), "--sites", str(sites), *backlog, "--if-seeded"]
        run(url, "bench/seed.py", *seed)
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
    print("\nthe same pages in one process, request by request in turn (bench/scale_steady.py):")
    run(
        args.national_db,
        "bench/scale_steady.py",
        "--small-db",
        args.small_db,
        "--national-db",
        args.national_db,
        "--requests",
        args.requests,
    )


if __name__ == "__main__":
    sys.exit(main())
