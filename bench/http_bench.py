"""HTTP benchmark: requests/second and latency percentiles of the busiest pages.

Usage: DATABASE_URL=sqlite:///instance/bench.db python bench/http_bench.py [--requests 600]
Run bench/seed.py first. Serves the app with gunicorn (2 workers, production config) on a
loopback port, signs in as a student, a teacher and a state coordinator, and measures the
student dashboard and the grading queue with a fixed number of requests per page.
"""

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-pass-1"
PAGES = [
    ("student dashboard", "/learn/", "student@bench.puente"),
    ("grading queue, teacher (one site)", "/grading/", "teacher1.s1@bench.puente"),
    ("grading queue, coordinator (US-TX)", "/grading/", "coordinator.tx@bench.puente"),
    ("students list, teacher (one site)", "/students/", "teacher1.s1@bench.puente"),
    ("gradebook, teacher (one site)", "/grading/gradebook", "teacher1.s1@bench.puente"),
    ("gradebook, coordinator (US-TX)", "/grading/gradebook", "coordinator.tx@bench.puente"),
    (
        "gradebook search, coordinator (US-TX)",
        "/grading/gradebook?q=family12",
        "coordinator.tx@bench.puente",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        FLASK_CONFIG="production",
        SESSION_COOKIE_SECURE="0",
        PUBLIC_BASE_URL="https://bench.puente.example",
    )
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "2",
            "--threads",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def sign_in(base: str, email: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    response = opener.open(f"{base}/login", urllib.parse.urlencode(data).encode())
    if "/login" in response.geturl():
        raise SystemExit(f"could not sign in as {email}")
    return opener


def measure(opener, url: str, count: int, concurrency: int) -> dict:
    def one(_):
        started = time.perf_counter()
        with opener.open(url) as response:
            response.read()
            assert response.status == 200, response.status
        return time.perf_counter() - started

    for _ in range(10):
        one(None)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"rps": count / elapsed, "p50": q[49] * 1000, "p95": q[94] * 1000, "n": count}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(f"database: {os.environ.get('DATABASE_URL', 'instance/puente.db')}")
        print(
            f"gunicorn 2 workers x 2 threads; {args.requests} requests per page, "
            f"concurrency {args.concurrency}"
        )
        print(f"{'page':40} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}")
        for label, path, email in PAGES:
            result = measure(sign_in(base, email), base + path, args.requests, args.concurrency)
            print(f"{label:40} {result['rps']:8.1f} {result['p50']:8.1f} {result['p95']:8.1f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
