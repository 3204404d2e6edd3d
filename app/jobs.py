"""The job queue (Huey): Redis when JOB_QUEUE_URL names it, else an SQLite file in instance/.

Production runs `flask jobs worker` beside the web server; `make run` (development) starts an
in-process worker thread at the first request; tests run tasks immediately, in the request.
"""

import os
import threading
import time

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey

from config import INSTANCE_DIR


def _make_huey():
    url = os.environ.get("JOB_QUEUE_URL", "")
    if url.startswith("redis://"):
        return RedisHuey("puente", url=url)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("puente", filename=str(INSTANCE_DIR / "jobs.db"))


huey = _make_huey()
_worker_app: Flask | None = None
_started = threading.Lock()
_consumer = None


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


def init_jobs(app: Flask) -> None:
    if app.config.get("JOBS_IMMEDIATE"):
        huey.immediate = True
    elif app.config.get("JOBS_IN_PROCESS"):
        app.before_request(_start_in_process_worker)


def _start_in_process_worker() -> None:
    global _consumer, _worker_app
    if _consumer is not None:
        return
    with _started:
        if _consumer is None:
            _worker_app = current_app._get_current_object()
            # Huey's consumer installs signal handlers, which only the main thread may do;
            # in the web process a daemon thread runs its dequeue/execute loop instead.
            _consumer = threading.Thread(target=_work_forever, name="jobs", daemon=True)
            _consumer.start()


def _work_forever() -> None:
    while True:
        task = huey.dequeue()
        if task is None:
            time.sleep(0.5)
        else:
            huey.execute(task)
