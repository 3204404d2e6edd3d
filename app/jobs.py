"""The job queue (Huey): Redis when JOB_QUEUE_URL names it, else an SQLite file in instance/.

Production runs `flask jobs worker` beside the web server; `make run` (development) starts an
in-process worker thread at the first request; tests run tasks immediately, in the request.

A worker can die mid-job (killed, out of memory, a deploy): Huey then forgets the task it held.
Jobs that must finish therefore keep a lease in their own row, and the worker runs `watchers`
(registered with `watch`) at start and every few seconds, which queue again what a dead worker
left behind.
"""

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from config import INSTANCE_DIR

log = logging.getLogger(__name__)


def _make_huey():
    url = os.environ.get("JOB_QUEUE_URL", "")
    if url.startswith("redis://"):
        return RedisHuey("puente", url=url)
    if url.startswith("sqlite:///"):  # a queue file of its own (tests, several checkouts)
        return SqliteHuey("puente", filename=url.removeprefix("sqlite:///"))
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("puente", filename=str(INSTANCE_DIR / "jobs.db"))


huey = _make_huey()
_worker_app: Flask | None = None
_started = threading.Lock()
_consumer = None
_watchers: list[Callable[[bool], None]] = []


def watch(function: Callable[[bool], None]) -> Callable[[bool], None]:
    """Register `function(at_start)`: it finds work a dead worker left and queues it again."""
    _watchers.append(function)
    return function


def use_app(app: Flask) -> None:
    """Run tasks in `app` (the worker command's own app) rather than a default one."""
    global _worker_app
    _worker_app = app


def in_app_context(function, *args):
    """Run `function` inside an application context (the worker builds its own app once)."""
    global _worker_app
    if has_app_context():
        return function(*args)
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return function(*args)


def run_watchers(at_start: bool = False) -> None:
    for function in _watchers:
        try:
            in_app_context(function, at_start)
        except Exception:  # noqa: BLE001 - a watcher that fails must not stop the worker
            log.exception("Job watcher %s failed", function.__name__)


def watch_interval(app: Flask) -> float:
    return max(1.0, app.config.get("JOB_LEASE_SECONDS", 120) / 2)


def start_watching(app: Flask) -> threading.Thread:
    """Run the watchers now and then every half lease, in a daemon thread."""
    use_app(app)
    run_watchers(at_start=True)

    def loop():
        while True:
            time.sleep(watch_interval(app))
            run_watchers()

    thread = threading.Thread(target=loop, name="job-watch", daemon=True)
    thread.start()
    return thread


def init_jobs(app: Flask) -> None:
    if app.config.get("JOBS_IMMEDIATE"):
        huey.immediate = True
    elif app.config.get("JOBS_IN_PROCESS"):
        app.before_request(_start_in_process_worker)


def _start_in_process_worker() -> None:
    global _consumer
    if _consumer is not None:
        return
    with _started:
        if _consumer is None:
            app = current_app._get_current_object()
            # Huey's consumer installs signal handlers, which only the main thread may do;
            # in the web process a daemon thread runs its dequeue/execute loop instead.
            _consumer = threading.Thread(
                target=_work_forever, args=(app,), name="jobs", daemon=True
            )
            _consumer.start()


def _work_forever(app: Flask) -> None:
    start_watching(app)
    while True:
        task = huey.dequeue()
        if task is None:
            time.sleep(0.1)  # a queued PDF waits no longer than this
        else:
            huey.execute(task)
