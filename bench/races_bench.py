"""Integrity under concurrency: every race of issue 10 against a live gunicorn, and a job worker
killed mid-job; prints races × trials, duplicates, lost updates and 500s (all must be 0).

Usage: python bench/races_bench.py [--trials 10]
On PostgreSQL when TEST_DATABASE_URL is set (a database beside it is made and dropped), else
on an SQLite file. It runs tests/concurrency, which asserts the same figures.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10, help="trials of each race")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="puente-races-") as folder:
        report = Path(folder) / "figures.json"
        env = {
            **os.environ,
            "PUENTE_RACE_TRIALS": str(args.trials),
            "PUENTE_RACE_REPORT": str(report),
        }
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/concurrency", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env=env,
        )
        figures = json.loads(report.read_text()) if report.exists() else {}
    engine = "PostgreSQL" if os.environ.get("TEST_DATABASE_URL") else "SQLite"
    print(f"\n{engine}, gunicorn with 2 workers, {args.trials} trials a race")
    print(f"{'race':<34}{'trials':>7}{'duplicates':>12}{'lost updates':>14}{'500s':>6}")
    for race, row in figures.items():
        print(
            f"{race:<34}{row['trials']:>7}{row['duplicates']:>12}{row['lost']:>14}{row['500s']:>6}"
        )
    totals = {
        k: sum(r[k] for r in figures.values()) for k in ("trials", "duplicates", "lost", "500s")
    }
    print(
        f"{len(figures)} races, {totals['trials']} trials: {totals['duplicates']} duplicates, "
        f"{totals['lost']} lost updates, {totals['500s']} server errors"
    )
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
