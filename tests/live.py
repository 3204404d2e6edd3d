"""The app a live test server (gunicorn) or job worker runs: its database and job settings
come from the environment, which the test that starts it sets (never used in production)."""

import os

from app import create_app
from config import TestingConfig


class LiveConfig(TestingConfig):
    SQLALCHEMY_DATABASE_URI = os.environ.get("PUENTE_LIVE_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True  # the real forms, signed in through the real /login
    RATELIMIT_ENABLED = False  # many sign-ins in a few seconds
    # "worker": bulk jobs go to the queue (JOB_QUEUE_URL) for a `flask jobs worker`.
    JOBS_IMMEDIATE = os.environ.get("PUENTE_LIVE_JOBS", "immediate") != "worker"
    JOB_LEASE_SECONDS = int(os.environ.get("PUENTE_LIVE_JOB_LEASE", "120"))
    JOB_CHUNK_SIZE = int(os.environ.get("PUENTE_LIVE_JOB_CHUNK", "50"))
    EXPORT_BATCH_SIZE = int(os.environ.get("PUENTE_LIVE_EXPORT_BATCH", "1000"))
    EXPORTS_DIR = os.environ.get("PUENTE_LIVE_EXPORTS_DIR")  # else the instance folder's exports/


app = create_app(LiveConfig)
