"""The instance folder's config.py (README, Configuration) is read by a real installation's app,
whichever folder PUENTE_INSTANCE names, and never by the tests' configuration."""

import json
import os
import subprocess
import sys

import pytest

from config import BASE_DIR

pytestmark = pytest.mark.own_databases  # its own SQLite file, in a process of its own

SCRIPT = """
import json
from app import create_app
from config import TestingConfig

production, testing = create_app(), create_app(TestingConfig)
print(json.dumps({
    name: [app.config["INSTALLATION_NAME"], app.config["PAGE_SIZE"]]
    for name, app in (("production", production), ("testing", testing))
}))
"""


def test_a_production_app_reads_the_instance_config_and_the_tests_never_do(tmp_path):
    instance = tmp_path / "elsewhere"  # not the checkout's instance/: PUENTE_INSTANCE names it
    instance.mkdir()
    (instance / "config.py").write_text('INSTALLATION_NAME = "Puente Norte"\nPAGE_SIZE = 7\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PUENTE_", "FLASK_"))}
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        FLASK_CONFIG="production",
        PUENTE_INSTANCE=str(instance),
        PUBLIC_BASE_URL="https://puente.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'puente.db'}",
        SECRET_KEY="instance-config-test",
        SIGNING_KEY_FILE=str(tmp_path / "signing_key.pem"),
    )
    env.pop("INSTALLATION_NAME", None)
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    read = json.loads(run.stdout.strip().splitlines()[-1])
    assert read["production"] == ["Puente Norte", 7]
    assert read["testing"] == ["Puente", 25]  # TestingConfig: READ_INSTANCE_CONFIG is off
