"""HTTP benchmark: each hot page against a bare Flask app under the same gunicorn, with wrk.

Usage: DATABASE_URL=... python bench/http_bench.py [--duration 5] [--repeat 3] [--json out.json]
       [--baseline CHECKOUT]
Run bench/seed.py first. Serves the app with gunicorn (2 sync workers, production config) and
bench/hello_app.py with the same settings, signs in through the real form (CSRF token) as a
student, a teacher and the Texas state coordinator, checks each page once (a 200 with its
expected text), then for each page runs wrk (4 connections) on the page and on the bare app in
turn, `--repeat` times, and prints medians: req/s, p50, p95, the ratio to bare Flask, and the
app workers' CPU milliseconds per request (the machine may be shared: CPU time is what a
busy neighbour does not inflate), the PostgreSQL backends' CPU milliseconds per request (read
from /proc: the database on this machine), and the CPU ratio: the bare app's CPU per request
over the page's (app and database), near what an idle machine would show. Every response
wrk receives is checked too (bench/wrk_check.lua): a run with any other answer fails.
`--baseline` serves an earlier checkout of the code (e.g. `git worktree add ../before COMMIT`)
from the same database beside this one (from the checkout's own .venv when it has one): each
page then runs on both, and prints a "before" row above its row: the before/after table in one
run. `--beside-db URL` serves another database
seeded alike (another size) with this code beside the first, a row for each
(bench/scale_bench.py's comparison). Both servers take turns within each repeat, in an order
reversed every other repeat (A B, B A, A B), each run beside a run of the bare app.
wrk asks for the same page again and again, so the figures are of a page viewed again (kept
pages, app/page_cache); `--no-kept-pages` turns keeping off: every request renders, as a first
view does.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.instance import use_bench_instance  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-1"
STUDENT = "student@bench.puente"
COORDINATOR = "coordinator.tx@bench.puente"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# One browser signs in and asks again: Flask-Login's session protection ties a session to the
# browser it began in, and a session met in another ("wrk") is marked not fresh again and its
# cookie signed again on every answer (wrk never keeps the new one).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) puente-bench"


def pages(teacher: str, student_id: int, student_name: str, code: str) -> list[tuple]:
    """(label, path, who signs in or None, text every answer must contain)."""
    return [
        ("student dashboard", "/learn/", STUDENT, "/learn/enrollments/"),
        ("grading queue, teacher (one site)", "/grading/", teacher, "/grading/attempts/"),
        ("grading queue, coordinator (US-TX)", "/grading/", COORDINATOR, "/grading/attempts/"),
        ("students list, teacher (one site)", "/students/", teacher, "/students/"),
        ("students list, coordinator (US-TX)", "/students/", COORDINATOR, "/students/"),
        ("student record, teacher", f"/students/{student_id}", teacher, student_name),
        ("verify page (anonymous)", f"/verify/{code}", None, "PNT-"),
        ("sign-in page (anonymous)", "/login", None, 'name="csrf_token"'),
        ("state report, coordinator (US-TX)", "/reports/progress", COORDINATOR, "<svg"),
        ("gradebook, teacher (one site)", "/grading/gradebook", teacher, "/grading/"),
        ("gradebook, coordinator (US-TX)", "/grading/gradebook", COORDINATOR, "/grading/"),
        (
            "gradebook search, coordinator (US-TX)",
            "/grading/gradebook?q=family12",
            COORDINATOR,
            "Family12",
        ),
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    app: str, port: int, env: dict, check: str, root: Path = ROOT
) -> subprocess.Popen:
    """gunicorn with 2 sync workers, as production runs it, serving `app` from the checkout
    `root` (with its own .venv when it has one: an earlier checkout's requirements may differ);
    waits until `check` answers."""
    venv = root / ".venv" if (root / ".venv/bin/gunicorn").exists() else ROOT / ".venv"
    server = subprocess.Popen(
        [
            str(venv / "bin/gunicorn"),
            "--workers",
            "2",
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(root),
            app,
        ],
        cwd=root,
        env=env,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{check}", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn {app} exited with {server.returncode}") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn {app} did not start")


def process_cpu(pid) -> float:
    """CPU seconds (user + system) a process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def worker_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the server's worker processes have used so far."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return sum(process_cpu(pid) for pid in children)


class DatabaseCpu:
    """The PostgreSQL backends serving the app (same machine): their CPU seconds per pid."""

    def __init__(self, database_url: str) -> None:
        self.engine = None
        if database_url.startswith("postgresql"):
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self.engine = create_engine(database_url, poolclass=NullPool)

    def snapshot(self) -> dict:
        if self.engine is None:
            return {}
        from sqlalchemy import text

        with self.engine.connect() as connection:
            pids = connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ).scalars()
            return {pid: process_cpu(pid) for pid in pids}

    @staticmethod
    def used(before: dict, after: dict) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def sign_in(base: str, email: str, cookie_name: str) -> str:
    """Sign in through the form; the session cookie as a Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if not token:
        raise SystemExit("no CSRF token on the sign-in page")
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    response = opener.open(f"{base}/login", urllib.parse.urlencode(data).encode())
    if "/login" in response.geturl():
        raise SystemExit(f"could not sign in as {email}")
    cookie = next((c for c in jar if c.name == cookie_name), None)
    if cookie is None:
        raise SystemExit(f"no session cookie after signing in as {email}")
    return f"{cookie.name}={cookie.value}"


def check_page(url: str, cookie: str | None, expected: str) -> int:
    """Fetch once: a 200 (no redirect) whose body has `expected`; returns its size."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    headers = {"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(NoRedirect).open(request) as response:
            body = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{url}: {error.code}, not 200") from None
    if status != 200 or expected not in body:
        raise SystemExit(f"{url}: {status}, or {expected!r} missing from the page")
    return len(body)


def wrk(url: str, cookie: str | None, expected: str | None, seconds: float, connections: int):
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{round(seconds)}s",
        "--timeout",
        "10s",
        "--script",
        str(ROOT / "bench" / "wrk_check.lua"),
        "--header",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    command += [url, "--"] + ([expected] if expected else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wrk failed on {url}: {done.stderr or done.stdout}")
    output = done.stdout
    line = next((x for x in output.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures for {url}:\n{output}")
    figures = dict(part.split("=") for part in line.split()[1:])
    figures = {k: int(v) for k, v in figures.items()}
    if figures["bad"] or figures["errors"]:
        raise SystemExit(
            f"{url}: {figures['bad']} answers were not a 200 with {expected!r} "
            f"({figures['errors']} socket errors): the figures would be a lie"
        )
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "p50": figures["p50_us"] / 1000,
        "p95": figures["p95_us"] / 1000,
        "requests": figures["requests"],
    }


def choose_subjects(database_url: str) -> tuple[str, int, str, str]:
    """The teacher of the site with the longest grading queue, one of its students with a
    certificate (else any), and the first certificate's code (issued by the real service)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        site = (
            connection.execute(
                text(
                    "SELECT site_id FROM attempt WHERE status = 'submitted' "
                    "GROUP BY site_id ORDER BY COUNT(*) DESC, site_id LIMIT 1"
                )
            ).scalar()
            or 1
        )
        student = (
            connection.execute(
                text(
                    "SELECT s.id, s.given_name FROM student s JOIN certificate c ON c.student_id = s.id "
                    "WHERE s.site_id = :site ORDER BY s.id LIMIT 1"
                ),
                {"site": site},
            ).first()
            or connection.execute(
                text(
                    "SELECT id, given_name FROM student WHERE site_id = :site ORDER BY id LIMIT 1"
                ),
                {"site": site},
            ).first()
        )
        code = connection.execute(text("SELECT code FROM certificate ORDER BY id LIMIT 1")).scalar()
    engine.dispose()
    if code is None:
        raise SystemExit("no certificate in the database: run bench/seed.py first")
    return f"teacher1.s{site}@bench.puente", student[0], student[1], code


def git_head(checkout: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(checkout), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    )
    return done.stdout.strip()[:72]


class Served:
    """A running gunicorn, its address, the bare app beside it and the database's CPU meter."""

    def __init__(self, server, base, hello, hello_url, database) -> None:
        self.server, self.base = server, base
        self.hello, self.hello_url, self.database = hello, hello_url, database


def measure_pages(targets: list[tuple[Served, str, str | None, str]], args) -> list[dict]:
    """Each (server, path, cookie, expected) page measured `args.repeat` times, each run beside
    a run of the bare app; the servers take turns within a repeat, in an order reversed every
    other repeat (A B, B A, A B), so a load drifting over the minutes meets them alike."""
    for served, path, cookie, expected in targets:
        wrk(served.base + path, cookie, expected, 1, args.connections)  # warm both workers
    kinds = ("runs", "bare", "ratios", "cpu", "bare_cpu", "db_cpu")
    samples = [{kind: [] for kind in kinds} for _target in targets]
    for repeat in range(args.repeat):
        order = range(len(targets)) if repeat % 2 == 0 else reversed(range(len(targets)))
        for index in order:
            _measure_once(*targets[index], args, samples[index])
    return [
        _figures(path, taken) for (_s, path, _c, _e), taken in zip(targets, samples, strict=True)
    ]


def _measure_once(served: Served, path: str, cookie, expected: str, args, taken: dict) -> None:
    before, database_before = worker_cpu(served.server), served.database.snapshot()
    run = wrk(served.base + path, cookie, expected, args.duration, args.connections)
    taken["cpu"].append((worker_cpu(served.server) - before) / run["requests"] * 1000)
    used = served.database.used(database_before, served.database.snapshot())
    taken["db_cpu"].append(used / run["requests"] * 1000)
    taken["runs"].append(run)
    before = worker_cpu(served.hello)
    bare = wrk(served.hello_url, None, "Hello", args.duration, args.connections)
    taken["bare"].append(bare)
    taken["bare_cpu"].append((worker_cpu(served.hello) - before) / bare["requests"] * 1000)
    taken["ratios"].append(run["rps"] / bare["rps"])


def _figures(path: str, taken: dict) -> dict:
    """The medians of one page's runs."""
    median = statistics.median
    return {
        "path": path,
        "rps": median(r["rps"] for r in taken["runs"]),
        "p50": median(r["p50"] for r in taken["runs"]),
        "p95": median(r["p95"] for r in taken["runs"]),
        "bare_rps": median(r["rps"] for r in taken["bare"]),
        "ratio": median(taken["ratios"]),
        "cpu_ms": median(taken["cpu"]),
        # What the ratio would be on an idle machine, where CPU time sets the pace.
        "cpu_ratio": median(taken["bare_cpu"]) / (median(taken["cpu"]) + median(taken["db_cpu"])),
        "db_cpu_ms": median(taken["db_cpu"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--only", help="measure only pages whose label contains this")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--baseline", type=Path, help="an earlier checkout to measure beside")
    parser.add_argument(
        "--beside-db",
        help="another database seeded alike (another size), served beside this one by this code",
    )
    parser.add_argument("--beside-label", default="beside", help="its rows' suffix")
    parser.add_argument(
        "--no-kept-pages",
        action="store_true",
        help="render every page (PAGE_CACHE_BYTES=0): what a first view costs",
    )
    args = parser.parse_args()
    if args.beside_label in ("after", "before"):
        parser.error("--beside-label names the other database's rows: not after or before")
    instance = use_bench_instance()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'puente.db'}"
    subjects = choose_subjects(database_url)
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FLASK_CONFIG="production",
        SESSION_COOKIE_SECURE="0",
        PUBLIC_BASE_URL="https://bench.puente.example",
        SESSION_COOKIE_NAME="puente-bench",
    )
    if args.no_kept_pages:
        env["PAGE_CACHE_BYTES"] = "0"
    app_port, hello_port = free_port(), free_port()
    server = start_gunicorn("wsgi:app", app_port, env, "/login")
    hello = start_gunicorn("bench.hello_app:app", hello_port, env, "/")
    processes = [server, hello]
    base, hello_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{hello_port}/"
    results = []
    database = DatabaseCpu(database_url)
    servers = [("after", Served(server, base, hello, hello_url, database))]
    if args.baseline:
        port = free_port()
        processes.append(start_gunicorn("wsgi:app", port, env, "/login", args.baseline.resolve()))
        before = Served(processes[-1], f"http://127.0.0.1:{port}", hello, hello_url, database)
        servers.insert(0, ("before", before))
    # The pages each server is asked for: its own database's teacher, student and certificate.
    asked = {name: subjects for name, _served in servers}
    if args.beside_db:
        port = free_port()
        beside_env = dict(env, DATABASE_URL=args.beside_db)
        processes.append(start_gunicorn("wsgi:app", port, beside_env, "/login"))
        beside = Served(
            processes[-1], f"http://127.0.0.1:{port}", hello, hello_url, DatabaseCpu(args.beside_db)
        )
        servers.append((args.beside_label, beside))
        asked[args.beside_label] = choose_subjects(args.beside_db)
    try:
        cookies = {
            name: {
                who: sign_in(s.base, who, "puente-bench")
                for who in {STUDENT, asked[name][0], COORDINATOR}
            }
            for name, s in servers
        }
        chosen = [i for i, p in enumerate(pages(*subjects)) if not args.only or args.only in p[0]]
        measured = {name: [pages(*asked[name])[i] for i in chosen] for name, _served in servers}
        sizes = {  # the page's bytes (its rows shown): what one view renders and sends
            (name, path): check_page(served.base + path, cookies[name].get(who), expected)
            for name, served in servers
            for _label, path, who, expected in measured[name]
        }
        check_page(hello_url, None, "Hello")
        started_load = os.getloadavg()
        print(f"database: {re.sub(r'//[^@/]*@', '//', database_url)}")
        print(
            ("every page rendered (no kept pages); " if args.no_kept_pages else "")
            + f"gunicorn 2 sync workers (production config) and a bare Flask app alike; wrk "
            f"{args.connections} connections, {args.duration} s runs, page and bare app "
            f"interleaved x{args.repeat}, medians"
        )
        if args.baseline:
            print(f"before: {args.baseline} ({git_head(args.baseline)}); after: {git_head(ROOT)}")
        for name, (teacher, student_id, _name, code) in asked.items():
            print(f"{name}: teacher {teacher}, record of student {student_id}, certificate {code}")
        print(f"load average (1, 5, 15 min) before: {started_load}, CPUs: {os.cpu_count()}")
        print(
            f"{'page':48} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'bare req/s':>10} "
            f"{'ratio':>6} {'CPU ms/req':>10} {'DB CPU ms':>9} {'CPU ratio':>9}"
        )
        for index in range(len(chosen)):
            targets = []
            for name, served in servers:
                _label, path, who, expected = measured[name][index]
                targets.append((served, path, cookies[name].get(who), expected))
            rows = measure_pages(targets, args)
            for (name, _served), row in zip(servers, rows, strict=True):
                label = measured[name][index][0]
                row["page"] = label if name == "after" else f"{label} ({name})"
                row["bytes"] = sizes[(name, row["path"])]
                results.append(row)
                print(
                    f"{row['page']:48} {row['rps']:7.1f} {row['p50']:7.1f} {row['p95']:7.1f} "
                    f"{row['bare_rps']:10.0f} {row['ratio']:6.3f} {row['cpu_ms']:10.2f} "
                    f"{row['db_cpu_ms']:9.2f} {row['cpu_ratio']:9.3f}",
                    flush=True,
                )
        print(f"load average after: {os.getloadavg()}")
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
    if args.json:
        Path(args.json).write_text(json.dumps({"database": database_url, "pages": results}))


if __name__ == "__main__":
    sys.exit(main())
