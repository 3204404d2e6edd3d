"""Scale benchmark in one process: each hot page at two sizes, request by request in turn.

Usage: python bench/scale_steady.py --small-db URL --national-db URL [--requests 2000]
Both databases must be seeded first (bench/scale_bench.py does it, or bench/seed.py). Builds
the app twice in this process, once on each database (production configuration, the bench's
instance folder), signs in the bench's users on each, then asks each page of
bench/http_bench.py of one app, then of the other, alternately, `--requests` times each, and
prints per page and size the app's CPU and wall milliseconds per request, and their ratios
(national over small; goal 1.2 or less). Taking turns request by request, both sizes meet the
same load at the same moment: a figure this noisy machine cannot drift apart, where the HTTP
runs of bench/scale_bench.py do. Wall time includes the database's work (a PostgreSQL backend
or SQLite in this process); CPU time is this process's only. `--no-kept-pages` renders every
request, as a first view does (the progress report's figures are still kept until the facts
are rebuilt: app/reports/progress.py).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.http_bench import USER_AGENT, choose_subjects, pages  # noqa: E402
from bench.instance import use_bench_instance  # noqa: E402

GOAL = 1.2


class Sized:
    """One app on one database, its bench subjects and a signed-in client per user."""

    def __init__(self, database_url: str, kept_pages: bool) -> None:
        from sqlalchemy import select

        from app import create_app
        from app.extensions import db
        from app.users.models import User
        from config import CONFIGS

        # config.py reads DATABASE_URL once, on import: each app gets its own class.
        production = CONFIGS["production"]
        self.app = create_app(
            type(
                "Sized",
                (production,),
                {"SQLALCHEMY_DATABASE_URI": database_url}
                | ({} if kept_pages else {"PAGE_CACHE_BYTES": 0}),
            )
        )
        self.subjects = choose_subjects(database_url)
        self.pages = pages(*self.subjects)
        self.clients = {None: self.app.test_client()}
        for _label, _path, email, _text in self.pages:
            if email in self.clients:
                continue
            with self.app.app_context():
                user = db.session.scalar(select(User).where(User.email == email))
                user_id = user.get_id()
            client = self.app.test_client()
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = user_id, True
            self.clients[email] = client

    def ask(self, index: int) -> tuple[float, float, int]:
        """(CPU s, wall s, bytes) of one request for page `index`, checked."""
        _label, path, email, text = self.pages[index]
        cpu, wall = time.process_time(), time.perf_counter()
        response = self.clients[email].get(path, headers={"User-Agent": USER_AGENT})
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if response.status_code != 200 or text.encode() not in response.data:
            raise SystemExit(f"{path}: {response.status_code}, or {text!r} missing")
        return cpu, wall, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-db", required=True)
    parser.add_argument("--national-db", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", help="measure only pages whose label contains this")
    parser.add_argument(
        "--no-kept-pages", action="store_true", help="render every page, as a first view does"
    )
    args = parser.parse_args()
    use_bench_instance()
    os.environ.update(
        FLASK_CONFIG="production",
        SESSION_COOKIE_SECURE="0",
        PUBLIC_BASE_URL="https://bench.puente.example",
    )
    kept = not args.no_kept_pages
    sizes = {"small": Sized(args.small_db, kept), "national": Sized(args.national_db, kept)}
    print(
        ("every page rendered (no kept pages); " if not kept else "")
        + f"{args.requests} requests a page at each size, in turn; load {os.getloadavg()}"
    )
    print(
        f"{'page':40} {'CPU ms small':>12} {'nat.':>6} {'ratio':>6} "
        f"{'wall ms small':>13} {'nat.':>6} {'ratio':>6} {'KB small':>8} {'nat.':>6}"
    )
    worst = 0.0
    for index, (label, *_rest) in enumerate(sizes["small"].pages):
        if args.only and args.only not in label:
            continue
        totals = {name: [0.0, 0.0] for name in sizes}
        size = {}
        for sized in sizes.values():  # warm: kept pages, plans, caches
            for _ in range(20):
                sized.ask(index)
        for turn in range(args.requests):
            order = ("small", "national") if turn % 2 == 0 else ("national", "small")
            for name in order:
                cpu, wall, size[name] = sizes[name].ask(index)
                totals[name][0] += cpu
                totals[name][1] += wall
        small, large = ([value / args.requests * 1000 for value in totals[name]] for name in sizes)
        cpu_ratio, wall_ratio = large[0] / small[0], large[1] / small[1]
        worst = max(worst, cpu_ratio, wall_ratio)
        flag = "" if max(cpu_ratio, wall_ratio) <= GOAL else "  over the goal"
        print(
            f"{label:40} {small[0]:12.2f} {large[0]:6.2f} {cpu_ratio:6.2f} "
            f"{small[1]:13.2f} {large[1]:6.2f} {wall_ratio:6.2f} "
            f"{size['small'] / 1000:8.1f} {size['national'] / 1000:6.1f}{flag}",
            flush=True,
        )
    print(f"worst ratio: {worst:.2f} (goal {GOAL}); load {os.getloadavg()}")


if __name__ == "__main__":
    sys.exit(main())
